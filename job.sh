#!/bin/bash
# The batch script of the README's `impactsim estimate` examples: 32 tasks for
# at most 4 hours. estimate reads its #SBATCH lines as sbatch does (up to the
# first command); options given on the command line win over them.
#SBATCH --job-name=lbm-32
#SBATCH --ntasks=32
#SBATCH --time=4:00:00
#SBATCH --output=lbm-%j.out

srun ./lbm input.cfg
