/**
 * The contract between the engine layer (the only code that imports bpmn-engine) and the services
 * that persist what it produces. The engine is pure: it takes a compiled definition, an optional
 * saved state and one action, runs until every token waits or the process ends, and describes the
 * result. It never touches the database; the caller saves the result in one transaction.
 */

import type { WorkingCalendar } from '../domain/calendar';

export interface EngineClock {
  now(): Date;
}

/**
 * How a date was computed on a calendar that had no statutory data for some year it depended on
 * (counted on weekends only), kept so that it can be computed again — exactly — once that year's
 * schedule is entered: the same FEEL expression over the same variables at the same clock, only on
 * the newer calendar.
 */
export interface ProvisionalBasis {
  /** the years without calendar data the result depended on */
  years: number[];
  /** the FEEL expression as written (with '=') */
  expression: string;
  /** the variables it was evaluated over (process variables and the element's local inputs) */
  context: Record<string, unknown>;
  /** the clock at the evaluation (ISO-8601): now(), today(), and where a duration starts */
  now: string;
}

/** A parsed, cached definition version (one per deployed process version). */
export interface CompiledDefinitionRef {
  /** database id of the definition version; cache key */
  definitionId: string;
  xml: string;
  /**
   * the executable process of the document this definition runs (a document may hold several, each
   * deployed as its own key); the others are not started. Absent: every executable process (one, at deploy).
   */
  processId?: string;
}

export type ServiceOutcome =
  | { kind: 'completed'; output: Record<string, unknown> }
  | { kind: 'bpmn-error'; code: string; message: string }
  /** technical failure or back-off not yet over: the service task stays waiting */
  | { kind: 'wait' };

export interface ServiceInvocation {
  activityId: string;
  activityName: string | null;
  executionId: string;
  /** zeebe:taskDefinition type */
  handler: string;
  /** zeebe:taskDefinition retries (default 3) */
  retries: number;
  /** the zeebe:ioMapping inputs evaluated (FEEL) — or all process variables when there are none */
  input: Record<string, unknown>;
  headers: Record<string, string>;
  isRecovered: boolean;
}

export interface EngineHost {
  clock: EngineClock;
  /** the statutory working-day calendar FEEL's addWorkingDays / workingDaysBetween count on */
  calendar: WorkingCalendar;
  invokeService(inv: ServiceInvocation): Promise<ServiceOutcome>;
  /** activities started without any wait before the run is stopped as an incident */
  maxActivitiesPerRun?: number;
}

export type EngineAction =
  | { kind: 'start'; variables: Record<string, unknown>; businessKey?: string | null }
  /** recover + resume: fires timers that fell due, re-invokes waiting service tasks */
  | { kind: 'resume' }
  | { kind: 'complete-task'; executionId: string; variables: Record<string, unknown> }
  | { kind: 'correlate-message'; messageName: string; executionIds?: string[]; variables: Record<string, unknown> }
  | { kind: 'complete-call'; executionId: string; variables: Record<string, unknown> }
  /**
   * a broadcast signal reaching this instance: its waiting catches of that signal among executionIds
   * (the subscription rows the broadcast consumed) complete; nothing waiting is not an error
   */
  | { kind: 'broadcast-signal'; signalName: string; executionIds: string[]; variables: Record<string, unknown> }
  /** cancel the whole instance */
  | { kind: 'terminate' }
  /**
   * move the instance's tokens to an activity of the process (退回 / 撤回): the activity is started
   * afresh, then every activity running at the top level of the process is ended without passing a
   * token on (their outgoing flows are not taken nor discarded)
   */
  | { kind: 'move'; toActivityId: string }
  /**
   * recover + resume quietly (no timer fires, no service is invoked) and give the listed timers a new
   * due date (their saved expireAt is replaced): a calendar change recomputed them
   */
  | { kind: 'reschedule'; timers: TimerReschedule[] };

export interface TimerReschedule {
  /** the timer's activity execution id (TimerWait.executionId) */
  executionId: string;
  /** ISO-8601 */
  dueAt: string;
  /** still provisional after the recomputation: how to compute it again */
  provisional: ProvisionalBasis | null;
}

export interface UserTaskWait {
  activityId: string;
  executionId: string;
  name: string | null;
  assignee: string | null;
  candidateGroups: string[];
  candidateUsers: string[];
  dueAt: Date | null;
  followUpAt: Date | null;
  /** set when a date was computed on a calendar without data for a year it depended on */
  provisional: { dueDate?: ProvisionalBasis; followUpDate?: ProvisionalBasis } | null;
  /** zeebe:formDefinition formId (or formKey) */
  formId: string | null;
  /** zeebe:properties of the task as written (e.g. completion rules `rule:R10.1` = FEEL) */
  properties: Record<string, string>;
  /** the variables the task sees (zeebe:ioMapping inputs, or all process variables) */
  input: Record<string, unknown>;
  /** false when this wait was already there before this run (recovered) */
  isNew: boolean;
}

export interface TimerWait {
  activityId: string;
  executionId: string;
  dueAt: Date;
  timerType: 'timeDuration' | 'timeDate' | 'timeCycle';
  /** the definition as written (ISO-8601 or =FEEL) */
  expression: string;
  /** set when the due date was computed on a calendar without data for a year it depended on */
  provisional: ProvisionalBasis | null;
  isNew: boolean;
}

export interface MessageWait {
  activityId: string;
  executionId: string;
  messageName: string;
  /** zeebe:subscription correlationKey, evaluated */
  correlationKey: string | null;
  isNew: boolean;
}

export interface SignalWait {
  activityId: string;
  executionId: string;
  signalName: string;
  isNew: boolean;
}

/** A signal thrown by an intermediate throw / end event of this run: the runtime broadcasts it after the commit. */
export interface ThrownSignal {
  activityId: string;
  signalName: string;
  /** the throw event's zeebe:ioMapping inputs, evaluated (none: no variables) */
  variables: Record<string, unknown>;
}

export interface CallWait {
  activityId: string;
  executionId: string;
  /** zeebe:calledElement processId, evaluated */
  processId: string;
  variables: Record<string, unknown>;
  isNew: boolean;
}

export interface ServiceWait {
  activityId: string;
  executionId: string;
  handler: string;
}

export interface HistoryEvent {
  activityId: string;
  activityName: string | null;
  /** bpmn:UserTask, bpmn:ServiceTask, ... */
  type: string;
  executionId: string;
  event: 'start' | 'end' | 'discard' | 'error';
  at: Date;
  /** e.g. the taken flow of a gateway, the error code, 'timeout' for a timer */
  outcome?: string | null;
}

export interface RunResult {
  state: 'running' | 'completed' | 'terminated' | 'incident';
  /** engine.getState(), JSON-serialisable; absent on incident (keep the previous state) */
  engineState: unknown | null;
  /** engineState as JSON text, when the run produced one (what a save writes) */
  engineStateText?: string;
  engineVersion: string;
  variables: Record<string, unknown>;
  activeActivityIds: string[];
  userTasks: UserTaskWait[];
  timers: TimerWait[];
  messages: MessageWait[];
  /** waiting signal catches (issue 12 item 13) */
  signals: SignalWait[];
  /** signals thrown in this run, to broadcast */
  thrownSignals: ThrownSignal[];
  calls: CallWait[];
  services: ServiceWait[];
  history: HistoryEvent[];
  incident: { activityId: string | null; message: string } | null;
}
