/**
 * An error as it crosses between threads (a structured clone keeps no class): a MacvpnError with
 * its lines and hints, or an internal error's message. Shared by the build's profile chunks
 * (build-worker.ts) and a VPN type's tasks (worker-tasks.ts).
 */
import { MacvpnError } from '../errors.js';

export type ThreadError = { message: string; more: string[]; hints: string[] } | { internal: string };

export const describeError = (e: unknown): ThreadError =>
  e instanceof MacvpnError ? { message: e.message, more: e.more, hints: e.hints } : { internal: e instanceof Error ? e.message : String(e) };

export const asError = (e: ThreadError): Error => ('internal' in e ? new Error(e.internal) : new MacvpnError([e.message, ...e.more], e.hints));
