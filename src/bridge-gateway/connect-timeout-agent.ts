import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';

type AgentClass = typeof http.Agent | typeof https.Agent;

/**
 * Keep-alive agents that also bound the TCP connect. Without it a bridge whose address swallows
 * SYNs would look like a slow bridge (504) instead of an unreachable one (502, SPEC §5).
 */
function withConnectTimeout<T extends AgentClass>(Base: T, connectTimeoutMs: number, options: http.AgentOptions): InstanceType<T> {
  const agent = new Base(options) as InstanceType<T> & { createConnection: (...args: unknown[]) => Socket };
  const create = agent.createConnection.bind(agent);
  agent.createConnection = (...args: unknown[]) => {
    const socket = create(...args);
    const target = args[0] as { host?: string; port?: number };
    if (socket.connecting) {
      const timer = setTimeout(() => {
        const err = Object.assign(new Error(`connect ETIMEDOUT ${target.host ?? ''}:${target.port ?? ''}`), { code: 'ETIMEDOUT' });
        socket.destroy(err);
      }, connectTimeoutMs);
      timer.unref();
      socket.once('connect', () => clearTimeout(timer));
      socket.once('secureConnect', () => clearTimeout(timer));
      socket.once('close', () => clearTimeout(timer));
    }
    return socket;
  };
  return agent;
}

export function keepAliveAgents(connectTimeoutMs: number): { httpAgent: http.Agent; httpsAgent: https.Agent } {
  const options = { keepAlive: true, maxSockets: 128 };
  return {
    httpAgent: withConnectTimeout(http.Agent, connectTimeoutMs, options),
    httpsAgent: withConnectTimeout(https.Agent, connectTimeoutMs, options),
  };
}
