/**
 * A WebSocket class for y-websocket in the client's live tests: Node's `ws`,
 * sending the session cookie and the Origin a browser would send by itself.
 * `ws` is required through Node's own resolution (the client project resolves
 * imports for the browser, where `ws` is a stub), by names TypeScript does not
 * follow, so the client's type check never sees Node's types.
 */
const NODE_MODULE = 'node:module';

type WsClass = new (url: string, protocols: string | string[] | undefined, options: { headers: Record<string, string> }) => WebSocket;

/** A WebSocket class (for `WebsocketProvider`'s `WebSocketPolyfill`) that sends `headers` with the handshake. */
export async function webSocketWith(headers: Record<string, string>): Promise<typeof WebSocket> {
  const { createRequire } = (await import(/* @vite-ignore */ NODE_MODULE)) as { createRequire: (from: string) => (id: string) => unknown };
  const { WebSocket: Ws } = createRequire(import.meta.url)('ws') as { WebSocket: WsClass };
  class WithHeaders extends Ws {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers });
    }
  }
  return WithHeaders as unknown as typeof WebSocket;
}
