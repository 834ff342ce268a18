import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css';
import zeebe from 'zeebe-bpmn-moddle/resources/zeebe.json';
import { ApiError, mount } from '../api';

/**
 * A deployed version, read-only: the bpmn-js NavigatedViewer (pan and zoom), the document fetched
 * from our own API (`data-xml-url`), everything served from our origin.
 */
mount('viewer', async (root) => {
  const res = await fetch(root.dataset.xmlUrl!, { credentials: 'same-origin', headers: { Accept: 'application/xml' } });
  if (!res.ok) throw new ApiError(res.status, 'error', `无法读取流程图（${res.status}）`);
  const xml = await res.text();
  const viewer = new NavigatedViewer({ container: root.querySelector<HTMLElement>('[data-canvas]')!, moddleExtensions: { zeebe } });
  const { warnings } = await viewer.importXML(xml);
  (viewer.get('canvas') as { zoom(level: string): void }).zoom('fit-viewport');
  root.dataset.elements = String((viewer.get('elementRegistry') as { getAll(): unknown[] }).getAll().length);
  if (warnings.length) root.dataset.warnings = String(warnings.length);
});
