// All IPC goes through the generated `commands`; this module only re-exports
// them so views never import `bindings.ts` paths directly.
export { commands } from "../bindings";
export type { AppInfo, KeychainStatus } from "../bindings";
export { describeError } from "./errors";
