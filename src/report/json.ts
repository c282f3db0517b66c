/**
 * `conformance.json`: the report itself, machine-readable.
 * @module
 */
import * as z from 'zod';
import { ConformanceReportSchema, type ConformanceReport } from './schema';

/** Sorts object keys recursively (for free-form JSON such as trace event `detail`). */
function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      // defineProperty, not assignment: a key named `__proto__` must stay a plain property.
      Object.defineProperty(out, key, { value: sortDeep((value as Record<string, unknown>)[key]), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

/**
 * Rebuilds `value` with object keys in the order the schema declares them, dropping keys the
 * schema does not know and properties whose value is `undefined`; free-form records are sorted.
 */
function orderBySchema(value: unknown, schema: z.core.$ZodType): unknown {
  if (value === undefined || value === null) return value;
  if (schema instanceof z.ZodOptional) return orderBySchema(value, schema.unwrap());
  if (schema instanceof z.ZodObject) {
    if (typeof value !== 'object' || Array.isArray(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(schema.shape as Record<string, z.core.$ZodType>)) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = orderBySchema(v, child);
    }
    return out;
  }
  if (schema instanceof z.ZodArray) {
    return Array.isArray(value) ? value.map((v) => orderBySchema(v, schema.element)) : value;
  }
  return sortDeep(value);
}

/**
 * Writes the report as JSON: 2-space indent, keys in schema order (free-form `detail`
 * objects sorted), trailing newline. The output parses back with `parseConformanceReport`.
 */
export function toJson(report: ConformanceReport): string {
  return `${JSON.stringify(orderBySchema(report, ConformanceReportSchema), null, 2)}\n`;
}
