/**
 * The Electron IPC channel names, shared by the sandboxed preload and the main-process transport.
 * Kept in a module of its own with no imports: the preload bundles it, and a sandboxed preload
 * can require nothing but `electron` and a few builtins at run time.
 */

/** Renderer → main: one invoke per API call, (name, input) → the reply envelope. */
export const IPC_CALL = 'walkstream:call';
/** Main → renderer: pushed events, (topic, data). */
export const IPC_EVENT = 'walkstream:event';
