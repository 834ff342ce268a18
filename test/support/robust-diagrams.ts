/** Generated diagrams for the robustness tests and the fuzz probe (issue 12). */

/** A process of `depth` embedded sub-processes, one inside the other, with a user task at the bottom. */
export function nestedSubProcesses(depth: number): string {
  let inner =
    `<bpmn:startEvent id="s${depth}" /><bpmn:userTask id="deepest"><bpmn:extensionElements>` +
    `<zeebe:assignmentDefinition assignee="admin" /></bpmn:extensionElements></bpmn:userTask>` +
    `<bpmn:sequenceFlow id="f${depth}" sourceRef="s${depth}" targetRef="deepest" />`;
  for (let d = depth - 1; d >= 0; d--) {
    inner = `<bpmn:startEvent id="s${d}" /><bpmn:subProcess id="sub${d}">${inner}</bpmn:subProcess><bpmn:sequenceFlow id="f${d}" sourceRef="s${d}" targetRef="sub${d}" />`;
  }
  return (
    '<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" ' +
    `xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="D" targetNamespace="x"><bpmn:process id="nested${depth}" isExecutable="true">` +
    `${inner}</bpmn:process></bpmn:definitions>`
  );
}

/** start → one connected user task, and `n` tasks with no incoming flow */
export function unconnectedTasks(n: number): string {
  const loose = Array.from({ length: n }, (_, i) => `<bpmn:task id="loose${i}" />`).join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" ' +
    'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="D" targetNamespace="x"><bpmn:process id="unconnected" isExecutable="true">' +
    '<bpmn:startEvent id="start" /><bpmn:sequenceFlow id="f" sourceRef="start" targetRef="only" />' +
    '<bpmn:userTask id="only"><bpmn:extensionElements><zeebe:assignmentDefinition assignee="admin" /></bpmn:extensionElements></bpmn:userTask>' +
    `${loose}</bpmn:process></bpmn:definitions>`
  );
}
