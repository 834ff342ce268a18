import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { runInstance } from '../../src/engine/engine-runner';
import { recomputeDate, recomputeTimer } from '../../src/engine/provisional';
import type { EngineAction, EngineHost, RunResult, ServiceOutcome } from '../../src/engine/types';
import { CHINESE_DAYS, withYears } from '../support/calendar';

// a made-up 2027 schedule: Saturday 01-02 worked, 01-05 and 01-06 holidays
const SCHEDULE_2027 = { year: 2027, holidays: ['2027-01-05', '2027-01-06'], workdays: ['2027-01-02'] };

const definition = (name: string) => ({ definitionId: `fixture:${name}`, xml: readFileSync(join(__dirname, '../fixtures/engine', `${name}.bpmn`), 'utf8') });

/** An instance saved as JSON text between runs, on a host whose clock and calendar the test moves. */
function instanceOf(name: string) {
  let state: unknown = null;
  const host: EngineHost & { now: Date; invoked: number; outcome: ServiceOutcome } = {
    now: new Date('2026-12-24T09:00:00+08:00'),
    invoked: 0,
    outcome: { kind: 'completed', output: {} },
    calendar: CHINESE_DAYS,
    clock: { now: () => host.now },
    invokeService: async (): Promise<ServiceOutcome> => {
      host.invoked++;
      return host.outcome;
    },
  };
  return {
    host,
    async run(action: EngineAction): Promise<RunResult> {
      const result = await runInstance({ definition: definition(name), state, action, host, instanceId: 'provisional-test' });
      expect(result.incident).to.equal(null);
      state = JSON.parse(JSON.stringify(result.engineState));
      return result;
    },
  };
}

describe('provisional due dates (a year without calendar data)', () => {
  it('a user task due date crossing into 2027 is counted on weekends only and carries how to compute it again', async () => {
    // given
    const inst = instanceOf('user-task');
    // when: 3 working days from Thursday 2026-12-31
    const started = await inst.run({ kind: 'start', variables: { applicant: { name: '张三', reviewer: 'wang.wu' }, amount: 21, submittedOn: '2026-12-31' } });
    // then: 01-01, 01-04, 01-05 (2027 on weekends only), not an incident
    const task = started.userTasks[0];
    expect(task.dueAt!.toISOString()).to.equal('2027-01-04T16:00:00.000Z'); // 2027-01-05 00:00 Shanghai
    expect(task.provisional!.dueDate).to.deep.include({ years: [2027], expression: '=addWorkingDays(submittedOn, 3)', now: '2026-12-24T01:00:00.000Z' });
    expect(task.provisional!.dueDate!.context).to.include({ submittedOn: '2026-12-31' });
    expect(task.provisional!.followUpDate).to.equal(undefined);
    // when the 2027 schedule is known: computed again, exactly, no longer provisional
    const again = recomputeDate(task.provisional!.dueDate!, withYears(SCHEDULE_2027));
    // then: 01-01 (an ordinary Friday in this schedule), 01-02 (Sat, worked), 01-04
    expect(again.date!.toISOString()).to.equal('2027-01-03T16:00:00.000Z');
    expect(again.provisional).to.equal(null);
    // and a calendar that still lacks a year keeps it provisional
    expect(recomputeDate(task.provisional!.dueDate!, CHINESE_DAYS).provisional!.years).to.deep.equal([2027]);
  });

  it('a covered due date is not provisional', async () => {
    const inst = instanceOf('user-task');
    const started = await inst.run({ kind: 'start', variables: { applicant: { name: '张三', reviewer: 'wang.wu' }, amount: 21, submittedOn: '2026-12-01' } });
    expect(started.userTasks[0].provisional).to.equal(null);
  });

  it('a rescheduled timer fires at its new due date, earlier or later, and keeps it through every later recover', async () => {
    const cases = [
      { newDue: '2027-01-06T00:00:00+08:00', notYet: ['2027-01-05T12:00:00+08:00'] }, // earlier than the provisional 01-07
      { newDue: '2027-01-12T00:00:00+08:00', notYet: ['2027-01-07T00:00:01+08:00', '2027-01-11T23:59:59+08:00'] }, // later
    ];
    for (const { newDue, notYet } of cases) {
      // given a timer at 10 working days from 2026-12-24: provisional 2027-01-07 (weekends only)
      const inst = instanceOf('timer-feel');
      const started = await inst.run({ kind: 'start', variables: { contractSignedAt: '2026-12-24', followUpInterval: 'P2D' } });
      const timer = started.timers[0];
      expect(timer.dueAt.toISOString()).to.equal('2027-01-06T16:00:00.000Z');
      expect(timer.provisional).to.deep.include({ years: [2027], expression: '=addWorkingDays(contractSignedAt, 10)' });
      const recomputed = recomputeTimer('timeDate', timer.provisional!, withYears(SCHEDULE_2027));
      expect(recomputed.dueAt.toISOString()).to.equal('2027-01-07T16:00:00.000Z'); // 12-25…31, 01-01, 01-02, 01-04, 01-07, 01-08
      expect(recomputed.provisional).to.equal(null);
      // when it is rescheduled (a quiet run)
      const rescheduled = await inst.run({ kind: 'reschedule', timers: [{ executionId: timer.executionId, dueAt: new Date(newDue).toISOString(), provisional: null }] });
      // then the engine reports the new due date for the same wait
      expect(rescheduled.timers).to.have.length(1);
      expect(rescheduled.timers[0]).to.deep.include({ executionId: timer.executionId, dueAt: new Date(newDue), provisional: null });
      // nothing fires before it, however often the instance is recovered (the old due date is gone)
      for (const at of notYet) {
        inst.host.now = new Date(at);
        const waiting = await inst.run({ kind: 'resume' });
        expect(waiting.activeActivityIds, at).to.deep.equal(['acceptanceDue']);
        expect(waiting.timers[0].dueAt.toISOString()).to.equal(new Date(newDue).toISOString());
      }
      // at the new due date it fires
      inst.host.now = new Date(newDue);
      const fired = await inst.run({ kind: 'resume' });
      expect(fired.activeActivityIds, newDue).to.deep.equal(['followUpDue']);
    }
  });

  it('a reschedule run moves nothing else: a due timer does not fire, a waiting service is not invoked', async () => {
    // given a timer that is already due
    const inst = instanceOf('timer-feel');
    inst.host.now = new Date('2026-12-01T09:00:00+08:00');
    const started = await inst.run({ kind: 'start', variables: { contractSignedAt: '2026-12-01', followUpInterval: 'P2D' } });
    inst.host.now = new Date('2027-01-01T00:00:00+08:00');
    // when a reschedule run names no timer
    const quiet = await inst.run({ kind: 'reschedule', timers: [] });
    // then it is still waiting with its due date; a resume fires it
    expect(quiet.activeActivityIds).to.deep.equal(['acceptanceDue']);
    expect(quiet.timers[0].dueAt.getTime()).to.equal(started.timers[0].dueAt.getTime());
    expect((await inst.run({ kind: 'resume' })).activeActivityIds).to.deep.equal(['followUpDue']);

    // given a service task left waiting (a technical failure)
    const service = instanceOf('service-task');
    service.host.outcome = { kind: 'wait' };
    const waiting = await service.run({ kind: 'start', variables: { project: { budget: 100, code: 'P-1' } } });
    expect(waiting.services.map((x) => x.activityId)).to.deep.equal(['calculateFee']);
    expect(service.host.invoked).to.equal(1);
    // when a reschedule run recovers it
    const again = await service.run({ kind: 'reschedule', timers: [] });
    // then it is not invoked, and still listed as waiting (its retry job stays)
    expect(service.host.invoked).to.equal(1);
    expect(again.services.map((x) => x.activityId)).to.deep.equal(['calculateFee']);
  });
});
