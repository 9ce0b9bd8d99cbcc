import {
  type ApiClient,
  createBridgeClient,
  createHttpClient,
  type WalkstreamBridge,
} from '../../core/contract/client';

declare global {
  interface Window {
    walkstream?: WalkstreamBridge;
  }
}

/** Inside Electron the preload provides the bridge; in a browser the same core answers over HTTP. */
export const api: ApiClient = window.walkstream
  ? createBridgeClient(window.walkstream)
  : createHttpClient({ baseUrl: window.location.origin });
