/* The bpmn.io packages the studio uses that ship no type declarations (bpmn-js itself ships its own). */
declare module 'bpmn-js-properties-panel';
declare module 'bpmn-js-element-templates';
declare module '@bpmn-io/element-template-chooser';
declare module 'bpmn-js-i18n/translations/zn';
declare module 'diagram-js-minimap';
declare module 'camunda-bpmn-js-behaviors/lib/camunda-cloud';
declare module 'bpmn-js-bpmnlint';
declare module 'bpmn-js-token-simulation';
declare module 'bpmn-js-differ';
