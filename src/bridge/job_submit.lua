--[[
impactsim's job_submit/lua script for Slurm (slurm-wlm-basic-plugins carries
the plugin): every job is held at submission (priority 0; squeue's reason
JobHeldAdmin, or JobHeldUser when root submits),
so that `impactsim bridge` sends it to `impactsim serve`, moves it to the
partition of the site the planner chose and releases it. A job whose comment
says impactsim:skip is left alone.

Install: copy next to slurm.conf as job_submit.lua, set JobSubmitPlugins=lua in
slurm.conf, then `scontrol reconfigure`.
]]

function slurm_job_submit(job_desc, part_list, submit_uid)
  local comment = job_desc.comment
  if comment ~= nil and string.find(comment, "impactsim:skip", 1, true) then
    return slurm.SUCCESS
  end
  job_desc.priority = 0
  return slurm.SUCCESS
end

function slurm_job_modify(job_desc, job_rec, part_list, modify_uid)
  return slurm.SUCCESS
end

return slurm.SUCCESS
