/**
 * One strict read of a BPMN document before bpmn-moddle parses it:
 *
 * - `decodeXmlBytes`: the bytes of an uploaded document become text in the encoding the document
 *   declares — a byte-order mark, else the XML declaration's `encoding`, else the charset of the
 *   Content-Type, else UTF-8 (XML's default). UTF-8, UTF-16 (LE/BE), GB18030/GBK/GB2312, ISO-8859-1
 *   and Windows-1252 are read; any other encoding, a declaration that contradicts the Content-Type,
 *   or a byte that is not valid in the encoding is refused with a Chinese message — never replaced
 *   silently.
 * - `xmlStructureProblem`: a scan of the real element tree — comments, CDATA sections and
 *   processing instructions are skipped as wholes (a processing instruction full of `</a>` no longer
 *   lowers the count), every end tag must close the element it belongs to, the depth limit counts
 *   open elements, and every element or attribute prefix must be declared (`xmlns:bpmn="…"`) in
 *   scope: moddle would otherwise accept an undeclared `bpmn:` or `zeebe:` prefix.
 */

export class XmlReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlReadError';
  }
}

/** encoding name as written (lower case) → the WHATWG label TextDecoder knows */
const ENCODINGS: Record<string, string> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'utf-16': 'utf-16le', // without a byte-order mark: decided from the first bytes below
  'utf-16le': 'utf-16le',
  'utf-16be': 'utf-16be',
  gb18030: 'gb18030',
  gbk: 'gbk',
  gb2312: 'gbk',
  'iso-8859-1': 'iso-8859-1',
  'iso8859-1': 'iso-8859-1',
  latin1: 'iso-8859-1',
  'windows-1252': 'windows-1252',
  'us-ascii': 'utf-8',
  ascii: 'utf-8',
};

function family(label: string): string {
  return label.startsWith('utf-16') ? 'utf-16' : label === 'gb18030' ? 'gbk' : label;
}

function declaredEncoding(head: string): string | null {
  const decl = /^\s*<\?xml\s[^?]*?encoding\s*=\s*["']([^"']+)["']/.exec(head);
  return decl ? decl[1].trim().toLowerCase() : null;
}

function decode(bytes: Uint8Array, label: string, shown: string): string {
  try {
    return new TextDecoder(label, { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    // find roughly where: decode growing prefixes would be quadratic; report the first bad UTF-8
    // position when we can, else only the encoding
    let where = '';
    if (label === 'utf-8') {
      const at = firstInvalidUtf8(bytes);
      if (at >= 0) where = `（第 ${at + 1} 个字节附近）`;
    }
    throw new XmlReadError(`文档中有不符合其编码 ${shown} 的字节${where}：请以 ${shown} 正确保存文档，或在 XML 声明中写明实际的编码`);
  }
}

function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i];
    const n = c < 0x80 ? 0 : c >= 0xc2 && c < 0xe0 ? 1 : c >= 0xe0 && c < 0xf0 ? 2 : c >= 0xf0 && c < 0xf5 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) if (i + k >= b.length || (b[i + k] & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return -1;
}

/** The text of an uploaded XML document (see the module comment); throws XmlReadError. */
export function decodeXmlBytes(bytes: Uint8Array, contentTypeCharset?: string | null): string {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return decode(bytes.subarray(3), 'utf-8', 'UTF-8');
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return decode(bytes.subarray(2), 'utf-16le', 'UTF-16');
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return decode(bytes.subarray(2), 'utf-16be', 'UTF-16');
  // UTF-16 without a mark: "<?" as two 16-bit units
  if (bytes.length >= 4 && bytes[0] === 0x3c && bytes[1] === 0 && bytes[2] === 0x3f && bytes[3] === 0) return decode(bytes, 'utf-16le', 'UTF-16');
  if (bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0x3c && bytes[2] === 0 && bytes[3] === 0x3f) return decode(bytes, 'utf-16be', 'UTF-16');

  const head = Buffer.from(bytes.subarray(0, 200)).toString('latin1');
  const declared = declaredEncoding(head);
  const charset = contentTypeCharset?.trim().toLowerCase() || null;
  for (const name of [declared, charset]) {
    if (name && !ENCODINGS[name]) {
      throw new XmlReadError(`不支持文档声明的编码 "${name}"：请以 UTF-8 保存（也支持 UTF-16、GB18030/GBK、ISO-8859-1）`);
    }
  }
  if (declared && charset && family(ENCODINGS[declared]) !== family(ENCODINGS[charset])) {
    throw new XmlReadError(`文档声明的编码 "${declared}" 与请求头 Content-Type 的字符集 "${charset}" 不一致：请去掉其中一个或改为一致`);
  }
  if (declared && ENCODINGS[declared].startsWith('utf-16')) {
    throw new XmlReadError(`文档声明为 ${declared.toUpperCase()}，但内容不是 UTF-16 编码（没有字节顺序标记）：请以 UTF-8 保存`);
  }
  const name = declared ?? charset ?? 'utf-8';
  return decode(bytes, ENCODINGS[name], name.toUpperCase());
}

// ---- the element tree ----------------------------------------------------------------------------

const NAME_START = /[A-Za-z_:\u00C0-\uFFFF]/;

function lineOf(text: string, index: number): string {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return `（第 ${line} 行）`;
}

function prefixOf(name: string): string | null {
  const at = name.indexOf(':');
  return at > 0 ? name.slice(0, at) : null;
}

interface Open {
  name: string;
  /** prefixes declared on this element */
  declared: string[] | null;
}

/**
 * The first structural problem of the document, or null: unbalanced or crossed tags, an
 * unterminated comment / CDATA / processing instruction / tag, nesting deeper than `maxDepth`
 * elements, or an element or attribute prefix without an `xmlns:` declaration in scope.
 */
export function xmlStructureProblem(text: string, maxDepth: number): string | null {
  const n = text.length;
  const stack: Open[] = [];
  const scope = new Map<string, number>(); // prefix → how many open elements declare it
  let rootSeen = false;
  let i = 0;
  while ((i = text.indexOf('<', i)) !== -1) {
    if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end < 0) return `XML 注释没有结束${lineOf(text, i)}`;
      i = end + 3;
      continue;
    }
    if (text.startsWith('<![CDATA[', i)) {
      const end = text.indexOf(']]>', i + 9);
      if (end < 0) return `CDATA 段没有结束${lineOf(text, i)}`;
      if (!stack.length) return `CDATA 段不能出现在根元素之外${lineOf(text, i)}`;
      i = end + 3;
      continue;
    }
    if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i + 2);
      if (end < 0) return `处理指令 <?…?> 没有结束${lineOf(text, i)}`;
      i = end + 2;
      continue;
    }
    if (text.startsWith('<!', i)) return `不允许 <!…> 声明${lineOf(text, i)}`;
    if (text.startsWith('</', i)) {
      const end = text.indexOf('>', i + 2);
      if (end < 0) return `结束标签没有结束${lineOf(text, i)}`;
      const name = text.slice(i + 2, end).trim();
      const open = stack.pop();
      if (!open) return `XML 格式错误${lineOf(text, i)}：结束标签 </${name}> 没有对应的开始标签`;
      if (open.name !== name) return `XML 格式错误${lineOf(text, i)}：结束标签 </${name}> 与开始标签 <${open.name}> 不匹配`;
      for (const p of open.declared ?? []) scope.set(p, (scope.get(p) ?? 1) - 1);
      i = end + 1;
      continue;
    }
    // a start tag: name, attributes (quoted values may hold '>'), '>' or '/>'
    let j = i + 1;
    if (!NAME_START.test(text[j] ?? '')) return `无效的标签${lineOf(text, i)}`;
    while (j < n && !/[\s/>]/.test(text[j])) j++;
    const name = text.slice(i + 1, j);
    const attributes: string[] = [];
    const declared: string[] = [];
    let selfClosing = false;
    for (;;) {
      while (j < n && /\s/.test(text[j])) j++;
      if (j >= n) return `标签 <${name}> 没有结束${lineOf(text, i)}`;
      if (text[j] === '>') break;
      if (text[j] === '/' && text[j + 1] === '>') {
        selfClosing = true;
        j++;
        break;
      }
      const nameStart = j;
      while (j < n && !/[\s=/>]/.test(text[j])) j++;
      const attr = text.slice(nameStart, j);
      while (j < n && /\s/.test(text[j])) j++;
      if (text[j] !== '=') return `标签 <${name}> 的属性 ${attr} 缺少值${lineOf(text, i)}`;
      j++;
      while (j < n && /\s/.test(text[j])) j++;
      const quote = text[j];
      if (quote !== '"' && quote !== "'") return `标签 <${name}> 的属性 ${attr} 的值须用引号括起${lineOf(text, i)}`;
      const close = text.indexOf(quote, j + 1);
      if (close < 0) return `标签 <${name}> 的属性 ${attr} 的值没有结束${lineOf(text, i)}`;
      j = close + 1;
      if (attr.startsWith('xmlns:')) declared.push(attr.slice(6));
      else if (attr !== 'xmlns') attributes.push(attr);
    }
    if (!stack.length && rootSeen) return `文档只能有一个根元素，<${name}> 在根元素之后${lineOf(text, i)}`;
    rootSeen = true;
    for (const p of declared) scope.set(p, (scope.get(p) ?? 0) + 1);
    for (const used of [name, ...attributes]) {
      const prefix = prefixOf(used);
      if (prefix && prefix !== 'xml' && prefix !== 'xmlns' && !scope.get(prefix)) {
        return `前缀 "${prefix}"（<${name}>${used === name ? '' : ` 的属性 ${used}`}）没有声明命名空间：请在文档中加上 xmlns:${prefix}="…"${lineOf(text, i)}`;
      }
    }
    if (selfClosing) {
      for (const p of declared) scope.set(p, (scope.get(p) ?? 1) - 1);
    } else {
      stack.push({ name, declared: declared.length ? declared : null });
      if (stack.length > maxDepth) return `XML 嵌套层级超过 ${maxDepth} 层${lineOf(text, i)}`;
    }
    i = j + 1;
  }
  if (stack.length) return `XML 不完整：<${stack[stack.length - 1].name}> 没有结束标签`;
  if (!rootSeen) return '不是 XML 文档：没有找到根元素';
  return null;
}
