/**
 * The words every layer shares (forge names, build states, triggers, reasons, commit
 * statuses). A leaf: it imports nothing, so `builds/`, `engine/`, `forge/` and `report/`
 * can all import it without importing each other.
 */
export * from './build.ts';
export * from './forge.ts';
