#!/usr/bin/env node
// Launcher for the installed CLI: runs the TypeScript entry point through tsx.
import { register } from "tsx/esm/api";
register();
await import("../src/cli/main.ts");
