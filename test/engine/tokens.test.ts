import { expect } from 'chai';
import { EngineInstance, inlineDefinition, robustFixture } from '../support/engine-instance';
import { nestedSubProcesses } from '../support/robust-diagrams';


describe('engine: Zeebe token semantics (issue 12 items 5, 8, 10)', () => {
  describe('given two tokens that reach one task', () => {
    it('when a parallel split is wired twice into one task, then the task runs twice, and the instance ends only after both', async () => {
      const i = new EngineInstance(robustFixture('two-tokens.bpmn'));
      await i.start();
      expect(i.waiting()).to.deep.equal(['review']);
      const first = i.last.userTasks[0].executionId;
      await i.complete('review');
      expect(i.last.state, 'the second token is still there').to.equal('running');
      expect(i.waiting()).to.deep.equal(['review']);
      expect(i.last.userTasks[0].executionId).to.not.equal(first);
      await i.complete('review');
      expect(i.last.state).to.equal('completed');

      // two branches that pass into the task in the same run queued already before: still so
      const j = new EngineInstance(robustFixture('two-branches-one-task.bpmn'));
      await j.start();
      await j.complete('review');
      expect(j.waiting()).to.deep.equal(['review']);
      await j.complete('review');
      expect(j.last.state).to.equal('completed');
    });
  });

  describe('given a parallel join', () => {
    it('when only one branch of an exclusive split reaches it, then it waits as Zeebe does (the instance does not complete)', async () => {
      const i = new EngineInstance(robustFixture('xor-then-join.bpmn'));
      await i.start({ pathA: true });
      await i.complete('a');
      expect(i.last.state).to.equal('running');
      expect(i.last.history.filter((h) => h.activityId === 'join')).to.have.length(0);
      await i.resume();
      expect(i.last.state, 'still waiting after a recover').to.equal('running');
    });

    it('when a branch loops back through an exclusive gateway, then the join waits for the real token of that branch', async () => {
      const i = new EngineInstance(robustFixture('loop-before-join.bpmn'));
      await i.start();
      expect(i.waiting()).to.deep.equal(['draft', 'finance']);
      await i.complete('finance');
      await i.complete('draft', { ok: false }); // back to draft: the flow to the join is discarded
      expect(i.waiting(), 'the join must not fire on the discarded flow').to.deep.equal(['draft']);
      await i.complete('draft', { ok: true });
      expect(i.waiting()).to.deep.equal(['approve']);
      await i.complete('approve');
      expect(i.last.state).to.equal('completed');

      // both branches arriving without a loop: the join fires once
      const j = new EngineInstance(robustFixture('loop-before-join.bpmn'));
      await j.start();
      await j.complete('draft', { ok: true });
      expect(j.waiting()).to.deep.equal(['finance']);
      await j.complete('finance');
      expect(j.waiting()).to.deep.equal(['approve']);
      expect(j.last.history.filter((h) => h.activityId === 'join' && h.event === 'start')).to.have.length(1);
    });
  });

  describe('given deeply nested embedded sub-processes', () => {
    for (const depth of [30, 45]) {
      it(`when ${depth} levels are started, then the task at the bottom waits (no false endless-loop incident) and every level is active`, async () => {
        const i = new EngineInstance(inlineDefinition(nestedSubProcesses(depth)));
        await i.start();
        expect(i.last.incident).to.equal(null);
        expect(i.waiting()).to.deep.equal(['deepest']);
        expect(i.last.activeActivityIds).to.include.members([`sub${depth - 1}`, 'deepest', 'sub0']);
        expect(i.last.activeActivityIds).to.have.length(depth + 1);
        expect(JSON.stringify(i.last.engineState).length, 'the saved state stays far below the column limit').to.be.below(2_000_000);
        await i.complete('deepest');
        expect(i.last.state).to.equal('completed');
      });
    }
  });
});
