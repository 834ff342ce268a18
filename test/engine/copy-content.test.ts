import { expect } from 'chai';
import { type ElementContent, copyContent } from '../../src/engine/bpmn-internals';

/**
 * copyContent (the timer's messages, issue 13): bpmn-elements changes a message's parent path and its inbound,
 * outbound and sequence lists in place on the way, so a copy has lists of its own — the original published message
 * (kept in a queue, part of the saved state) must not change when the copy does.
 */
describe('copyContent copies a message content as bpmn-elements does', () => {
  const original = (): ElementContent => ({
    id: 'Wait',
    type: 'bpmn:IntermediateCatchEvent',
    executionId: 'Wait_1',
    parent: { id: 'p', type: 'bpmn:Process', executionId: 'p_1', path: [{ id: 'd', type: 'bpmn:Definitions', executionId: 'd_1' }] },
    inbound: [{ id: 'f1', type: 'bpmn:SequenceFlow', executionId: 'f1_1', parent: { id: 'p', type: 'bpmn:Process', path: [] } }],
    outbound: [{ id: 'f2', action: 'take', targetId: 'End' }],
    sequence: [{ id: 's', type: 'bpmn:SequenceFlow', executionId: 's_1' }],
    discardSequence: ['a'],
    timerCycle: { remaining: 2, interval: 'PT1H', expression: 'R2/PT1H' },
  });

  it('extends the copy and leaves the original alone when the copy is changed where bpmn-elements changes it', () => {
    const source = original();
    const copy = copyContent(source, { state: 'timer', expireAt: '2026-12-02T00:00:00.000Z' });
    expect(copy).to.deep.equal({ ...original(), state: 'timer', expireAt: '2026-12-02T00:00:00.000Z' });
    copy.parent!.path!.push({ id: 'x', type: 'bpmn:SubProcess' });
    copy.parent!.path![0].executionId = 'changed';
    copy.parent!.executionId = 'changed';
    copy.inbound![0].executionId = 'changed';
    copy.inbound!.push({ id: 'f9', type: 'bpmn:SequenceFlow', executionId: 'f9_1' });
    copy.outbound![0].action = 'discard';
    (copy.sequence as ElementContent[])[0].executionId = 'changed';
    (copy.discardSequence as string[]).push('b');
    expect(source).to.deep.equal(original());
  });

  it('copies a content without the optional parts as it is', () => {
    const bare: ElementContent = { id: 'Start', type: 'bpmn:StartEvent', executionId: 'Start_1' };
    const copy = copyContent(bare);
    expect(copy).to.deep.equal(bare);
    expect(copy).to.not.equal(bare);
  });
});
