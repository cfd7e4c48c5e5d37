/**
 * A VPN type's tasks (VpnType.tasks, run through Tools.parallel) on the build's worker threads,
 * for a caller that is synchronous: stateFiles issues thousands of identities inside
 * `planSiteSync`, whose result everything after it needs. The calling thread posts chunks on a
 * MessageChannel per worker and sleeps in Atomics.wait until a worker signals a reply, which it
 * then takes with receiveMessageOnPort: neither needs this thread's event loop (Node docs,
 * worker_threads). While no worker has answered yet (they are still loading the bundle), the
 * calling thread works through chunks itself, as BuildPool.run does for profiles.
 */
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import { asError, describeError, type ThreadError } from './thread-error.js';
import { VPN_TYPES } from '../vpn/index.js';
import type { Tools, VpnTask } from '../vpn/vpn-type.js';

/** Inputs per chunk: a chunk of identities is ~50 ms of work, small against a message's cost. */
const CHUNK = 50;
/** A worker that has not answered for this long is given up on: this thread does its chunks. */
const STALL_MS = 60_000;


/** Sent once to each worker (WorkerRequest kind 'tasks'): its port and the shared reply counter. */
export interface TaskChannel {
  port: MessagePort;
  signal: Int32Array;
}

interface TaskRequest {
  id: number;
  vpn: string;
  task: string;
  shared: unknown;
  inputs: unknown[];
  now: Date;
}

interface TaskReply {
  id: number;
  outputs?: unknown[];
  error?: ThreadError;
}

function findTask(vpn: string, task: string): VpnTask {
  const run = VPN_TYPES[vpn]?.tasks?.[task];
  if (!run) throw new Error(`internal: no task ${task} for ${vpn}`);
  return run;
}

/** Worker side: runs each request with this thread's Tools, replies, then wakes the caller. */
export function serveTasks(channel: TaskChannel, tools: (now: Date) => Tools): void {
  const { port, signal } = channel;
  port.on('message', (r: TaskRequest) => {
    let reply: TaskReply;
    try {
      reply = { id: r.id, outputs: findTask(r.vpn, r.task)(r.shared, r.inputs, tools(r.now)) };
    } catch (e) {
      reply = { id: r.id, error: describeError(e) };
    }
    // The message is in the caller's queue when postMessage returns; then the counter moves.
    port.postMessage(reply);
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
  });
}


/** The caller's side: one channel per worker, made on first use. */
export class TaskRunner {
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private readonly ports: MessagePort[] = [];
  private nextId = 0;

  constructor(workers: readonly Worker[], send: (w: Worker, channel: TaskChannel, transfer: MessagePort) => void) {
    for (const w of workers) {
      const { port1, port2 } = new MessageChannel();
      port1.unref();
      this.ports.push(port1);
      send(w, { port: port2, signal: this.signal }, port2);
    }
  }

  close(): void {
    for (const p of this.ports) p.close();
  }

  /** Tools.parallel: `tools` are this thread's, for the chunks it runs itself. */
  run(vpn: string, task: string, shared: unknown, inputs: readonly unknown[], tools: Tools): unknown[] {
    const run = findTask(vpn, task);
    const n = inputs.length;
    const out = new Array<unknown>(n);
    const pending = new Map<number, { from: number; to: number; port: MessagePort }>();
    let next = 0;
    let done = 0;
    let answered = false;
    const finish = (from: number, outputs: readonly unknown[]) => {
      for (let i = 0; i < outputs.length; i++) out[from + i] = outputs[i];
      done += outputs.length;
      tools.progress?.(done, n);
    };
    const send = (port: MessagePort) => {
      if (next >= n) return;
      const from = next;
      next = Math.min(n, next + CHUNK);
      const id = this.nextId++;
      pending.set(id, { from, to: next, port });
      port.postMessage({ id, vpn, task, shared, inputs: inputs.slice(from, next), now: tools.now } satisfies TaskRequest);
    };
    // Two chunks in flight per worker: the next is there when one is done.
    for (const p of this.ports) {
      send(p);
      send(p);
    }
    let lastProgress = Date.now();
    while (done < n) {
      const seen = Atomics.load(this.signal, 0);
      for (const port of this.ports) {
        for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
          const reply = m.message as TaskReply;
          const chunk = pending.get(reply.id);
          if (!chunk) continue; // done here after a stall
          pending.delete(reply.id);
          if (reply.error) throw asError(reply.error);
          answered = true;
          lastProgress = Date.now();
          finish(chunk.from, reply.outputs!);
          send(port);
        }
      }
      if (done >= n) break;
      if (!answered && next < n) {
        const from = next;
        next = Math.min(n, next + CHUNK);
        finish(from, run(shared, inputs.slice(from, next), tools));
        continue;
      }
      if (Atomics.wait(this.signal, 0, seen, 1000) === 'timed-out' && Date.now() - lastProgress > STALL_MS) {
        // A worker that died or hangs: its chunks, and any not yet sent, are done here.
        for (const [id, c] of pending) {
          pending.delete(id);
          finish(c.from, run(shared, inputs.slice(c.from, c.to), tools));
        }
        while (next < n) {
          const from = next;
          next = Math.min(n, next + CHUNK);
          finish(from, run(shared, inputs.slice(from, next), tools));
        }
      }
    }
    return out;
  }
}
