import { Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type { PlanDocument } from "./document.js";
import { checkPlan } from "./validation.js";

/** A problem in a YAML plan, where an editor can show it: 1-based line and column, and the field. */
export interface PlanYamlError {
  line: number;
  column: number;
  /** JSON Pointer of the field ("" for the document or a syntax error). */
  pointer: string;
  message: string;
}

export type PlanYamlParse = { ok: true; document: PlanDocument } | { ok: false; errors: PlanYamlError[] };

export function exportPlanYaml(document: PlanDocument): string {
  // Shared sub-objects (the same weekday hours) are written out in full, never as YAML anchors.
  const doc = new Document(document, { aliasDuplicateObjects: false });
  doc.commentBefore = ' Plantão: support and maintenance plan. Edit, then: plantao plan import <file> --comment "why"';
  return doc.toString({ lineWidth: 0 });
}

const unescapeSegment = (segment: string) => segment.replace(/~1/g, "/").replace(/~0/g, "~");

/**
 * The source offset of the deepest node on `pointer`'s path: a map entry's key (so the line names the
 * field), a list item, or the nearest existing parent of a missing field.
 */
function offsetOf(root: Node | null, pointer: string): number {
  let node: unknown = root;
  let offset = root?.range?.[0] ?? 0;
  for (const segment of pointer.split("/").slice(1).map(unescapeSegment)) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === segment);
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset;
}

/** Parses and checks a YAML plan; every error names its line and field. */
export function parsePlanYaml(text: string): PlanYamlParse {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length) {
    return {
      ok: false,
      errors: doc.errors.map((e) => {
        const at = lines.linePos(e.pos[0]);
        return { line: at.line, column: at.col, pointer: "", message: e.message };
      }),
    };
  }
  const checked = checkPlan(doc.toJS({ maxAliasCount: 100 }));
  if (checked.ok) return checked;
  return {
    ok: false,
    errors: checked.errors.map((e) => {
      const at = lines.linePos(offsetOf(doc.contents as Node | null, e.pointer));
      return { line: at.line, column: at.col, pointer: e.pointer, message: e.message };
    }),
  };
}
