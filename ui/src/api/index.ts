// The only importer of the generated `bindings.ts` (tests/architecture.spec.ts enforces it), so
// regenerating bindings or wrapping a command touches this folder and nothing else.
export { commands } from "../bindings";
export type * from "../bindings";
export * from "./errors";
export * from "./images";
