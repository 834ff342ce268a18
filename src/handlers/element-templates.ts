import type { FieldType } from './handler';
import type { HandlerCatalogueEntry } from './registry';

const TYPE: Record<FieldType, string> = { string: 'String', number: 'String', boolean: 'String', date: 'String', object: 'Text', array: 'Text' };

/** Camunda 8 element templates (one per handler) so the modeler offers the handlers with their inputs and outputs. */
export function elementTemplates(catalogue: HandlerCatalogueEntry[]) {
  return catalogue.map((h) => ({
    $schema: 'https://unpkg.com/@camunda/zeebe-element-templates-json-schema/resources/schema.json',
    name: h.title,
    id: `govflow.${h.name}`,
    version: 1,
    description: h.description,
    category: { id: `govflow.${h.category}`, name: h.category },
    appliesTo: ['bpmn:Task'],
    elementType: { value: 'bpmn:ServiceTask' },
    properties: [
      { type: 'Hidden', value: h.name, binding: { type: 'zeebe:taskDefinition', property: 'type' } },
      ...h.inputs.map((i) => ({
        label: i.title,
        description: i.description,
        type: TYPE[i.type],
        feel: 'optional',
        optional: !i.required,
        binding: { type: 'zeebe:input', name: i.name },
        ...(i.required ? { constraints: { notEmpty: true } } : {}),
      })),
      ...h.outputs.map((o) => ({
        label: `${o.title}（结果变量）`,
        description: o.description,
        type: 'String',
        value: o.name,
        binding: { type: 'zeebe:output', source: `=${o.name}` },
      })),
    ],
  }));
}
