/**
 * A named service-task handler: descriptor (read by the modeler and GET /api/handlers) + executor in
 * one object (the n8n shape). Handlers never import express, sequelize or bpmn-engine.
 */
import type { BpmnError } from '../domain/errors';
import type { ProjectPort } from '../domain/project';

export type FieldType = 'string' | 'number' | 'boolean' | 'date' | 'object' | 'array';

export interface FieldSpec {
  name: string;
  type: FieldType;
  title: string;
  required?: boolean;
  description?: string;
}

export interface NotificationRequest {
  /** users or groups (`group:<key>`) to notify */
  to: string[];
  kind: 'task' | 'return' | 'reminder' | 'escalation' | 'copy' | 'urge' | 'info';
  title: string;
  body: string;
  /** makes the notification idempotent: the same key is delivered once */
  key: string;
}

export interface OrganisationPort {
  /** the active users of a group, by display name */
  members(groupKey: string): Promise<{ username: string; displayName: string }[]>;
}

export interface HandlerContext {
  instanceId: string;
  activityId: string;
  executionId: string;
  definitionKey: string;
  businessKey: string | null;
  /** zeebe:taskHeaders of the service task: the handler's static configuration */
  headers: Record<string, string>;
  /** the server clock (manual in tests) */
  now: Date;
  /** run fn once per instance + activity + key; a resumed step gets the stored result back */
  once<T>(key: string, fn: () => Promise<T>): Promise<T>;
  /** queue a notification through the outbox (sent once, after commit) */
  notify(n: NotificationRequest): void;
  /** the projects of the measures, read and updated in the step's own transaction */
  projects: ProjectPort;
  /** the organisation: the active users of a group (e.g. the experts the Data Bureau may pick, 第7条(二)) */
  organisation: OrganisationPort;
  /** start another process (latest version, same businessKey and project) once this step has committed */
  startProcess(processId: string, variables?: Record<string, unknown>): void;
  /** correlate a message to the instance(s) with this businessKey waiting for it, once this step has committed */
  publishMessage(messageName: string, businessKey: string, variables?: Record<string, unknown>): void;
}

export interface HandlerDescriptor<I = Record<string, unknown>, O = Record<string, unknown>> {
  name: string;
  title: string;
  description: string;
  category: string;
  inputs: FieldSpec[];
  outputs: FieldSpec[];
  /**
   * Business outcomes are outputs, or a thrown BpmnError (code caught by a boundary event);
   * any other thrown error is technical: retried with backoff, then an incident.
   */
  run(input: I, ctx: HandlerContext): Promise<O>;
}

export function defineHandler<I = Record<string, unknown>, O = Record<string, unknown>>(
  d: HandlerDescriptor<I, O>,
): HandlerDescriptor<I, O> {
  return d;
}

export type { BpmnError };
