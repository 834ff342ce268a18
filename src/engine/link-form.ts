/**
 * Links a form to a user task in a diagram (the form editor's "new form for this task", issue 9 item 5):
 * the task's `zeebe:formDefinition formId` is set (a `formKey` it had is dropped), the rest of the
 * document — DI included — is written back as bpmn-moddle reads it.
 */
import { getModdle } from './definition-cache';
import type { ModdleElement } from './zeebe-model';

export class LinkFormError extends Error {}

export async function linkFormToTask(xml: string, taskId: string, formId: string): Promise<string> {
  const moddle = await getModdle();
  const { rootElement, elementsById } = await moddle.fromXML(xml);
  const task = elementsById[taskId];
  if (!task || task.$type !== 'bpmn:UserTask') throw new LinkFormError(`流程中没有用户任务「${taskId}」`);
  let ext = task.extensionElements as (ModdleElement & { values?: ModdleElement[] }) | undefined;
  if (!ext) {
    ext = moddle.create('bpmn:ExtensionElements', { values: [] }) as ModdleElement & { values?: ModdleElement[] };
    ext.$parent = task;
    task.extensionElements = ext;
  }
  ext.values ??= [];
  let form = ext.values.find((v) => v.$type === 'zeebe:FormDefinition');
  if (!form) {
    form = moddle.create('zeebe:FormDefinition');
    form.$parent = ext;
    ext.values.push(form);
  }
  form.formId = formId;
  delete form.formKey;
  return (await moddle.toXML(rootElement, { format: true })).xml;
}
