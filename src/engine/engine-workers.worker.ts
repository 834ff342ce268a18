/**
 * An engine worker (see engine-workers.ts): runs one engine action per message, as the main thread's runInstance
 * would, and posts the result back. The host it gives the engine: the clock at the instant of the request, the
 * calendar sent with it, and no handlers — a run that reaches a service task says so (`invoked`) and is not used.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { WorkingCalendar } from '../domain/calendar';
import { installSmqpFastPath } from './smqp-fast-path';
import { runWithoutHandlers, type EngineRunReply, type EngineRunRequest } from './engine-workers';

if ((workerData as { fastPath?: boolean } | undefined)?.fastPath) installSmqpFastPath();

parentPort!.on('message', (request: EngineRunRequest) => {
  void (async () => {
    let reply: EngineRunReply;
    try {
      // a structured clone keeps the calendar's own fields (its sets of days), not its class
      const calendar = Object.setPrototypeOf(request.calendar, WorkingCalendar.prototype) as WorkingCalendar;
      const now = request.now;
      const { result, invoked } = await runWithoutHandlers({ ...request, calendar, clock: { now: () => new Date(now) } });
      // the text is what a save writes: the parsed state (a getter that parses it) need not travel back too
      if (result.engineStateText !== undefined) Object.defineProperty(result, 'engineState', { value: null, enumerable: true, writable: true, configurable: true });
      reply = { id: request.id, ok: true, result, invoked };
    } catch (err) {
      reply = { id: request.id, ok: false, message: (err as Error)?.message ?? String(err) };
    }
    try {
      parentPort!.postMessage(reply);
    } catch (err) {
      parentPort!.postMessage({ id: request.id, ok: false, message: `the result cannot be sent: ${(err as Error)?.message}` } satisfies EngineRunReply);
    }
  })();
});
