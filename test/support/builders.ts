/** Test data builders with overrides. */
import type { TestApp } from './app';

/** The body of POST /api/projects: an ordinary construction project of rmyy for 2027. */
export const draft = (over: Record<string, unknown> = {}) => ({
  name: '智慧医院信息平台',
  unitCode: 'rmyy',
  type: 'new',
  investment: 800000,
  planYear: 2027,
  classified: false,
  crossDepartment: false,
  participants: [],
  standaloneMobileApp: false,
  scopeCategory: 'informatization',
  inAnnualPlan: true,
  existingSystems: ['HIS'],
  description: '建设全院统一的信息平台',
  ...over,
});

/** A minimal but real Word document (.docx): a zip with [Content_Types].xml and word/document.xml. */
export async function docx(text = '建设方案'): Promise<Buffer> {
  const { default: JSZip } = await import('jszip');
  const zip = new JSZip();
  zip.file('[Content_Types].xml', '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>');
  zip.file('word/document.xml', `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>${text}</w:t></w:r></w:p></w:body></w:document>`);
  return zip.generateAsync({ type: 'nodebuffer' });
}

/** Uploads the two materials a submission needs (application-form, construction-plan) as small PDFs, as `username`. */
export async function attachRequiredMaterials(t: TestApp, username: string, projectId: number): Promise<void> {
  for (const m of ['application-form', 'construction-plan']) {
    const up = await t.api
      .post(`/api/projects/${projectId}/documents`)
      .set('Authorization', `Bearer ${await t.token(username)}`)
      .field('materialType', m)
      .attach('file', Buffer.from(`%PDF-1.4 ${m}`), { filename: `${m}.pdf`, contentType: 'application/pdf' });
    if (up.status !== 201) throw new Error(`upload of ${m} to project ${projectId} failed: ${up.status} ${JSON.stringify(up.body)}`);
  }
}
