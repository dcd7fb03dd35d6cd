/**
 * `--metrics [HOST:]PORT`: where the /metrics endpoint listens. A port alone means loopback only
 * (127.0.0.1): exposing a node's metrics to the network is the user's explicit choice
 * (`0.0.0.0:9400`, a host name, or an IPv6 address in brackets, `[::]:9400`). Port 0 takes any free one.
 */
import { TrainioError } from '../errors';

export interface ListenAddress {
  host: string;
  port: number;
}

export const LOOPBACK = '127.0.0.1';

export function parseListenAddress(text: string): ListenAddress {
  const bad = (why: string): TrainioError =>
    new TrainioError('USAGE', `record: --metrics wants [HOST:]PORT (e.g. 9400 or 0.0.0.0:9400): ${why}`);
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d+)$/.exec(text) ?? /^()()(\d+)$/.exec(text);
  if (!m) throw bad(`"${text}" is not one`);
  const port = Number(m[3]);
  if (!Number.isInteger(port) || port > 65535) throw bad(`${m[3]} is not a port (0–65535)`);
  const host = m[1] || m[2] || LOOPBACK;
  return { host, port };
}

/** host:port as a URL authority (IPv6 in brackets) */
export function authority(a: ListenAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}
