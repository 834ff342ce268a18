/**
 * The FEEL sandbox worker (see feel-sandbox.ts): evaluates one expression per message with the
 * in-place evaluator, posts the reply, then raises the shared signal the main thread waits on.
 */
import { type MessagePort, workerData } from 'node:worker_threads';
import { WorkingCalendar } from '../domain/calendar';
import { evaluateFeelInline } from './feel';
import type { SandboxReply, SandboxRequest } from './feel-sandbox';

const { port, signal: buffer } = workerData as { port: MessagePort; signal: SharedArrayBuffer };
const signal = new Int32Array(buffer);

port.on('message', (request: SandboxRequest) => {
  let reply: SandboxReply;
  const provisional = new Set<number>();
  // a structured clone keeps the calendar's own fields (its sets of days), not its class
  const calendar = Object.setPrototypeOf(request.calendar, WorkingCalendar.prototype) as WorkingCalendar;
  try {
    const value = evaluateFeelInline(request.expression, request.context, { now: new Date(request.now), calendar, provisional });
    reply = { ok: true, value, provisional: [...provisional] };
  } catch (err) {
    reply = { ok: false, name: (err as Error)?.name ?? 'Error', message: (err as Error)?.message ?? String(err), provisional: [...provisional] };
  }
  port.postMessage(reply);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});

Atomics.store(signal, 1, 1);
Atomics.notify(signal, 1);
