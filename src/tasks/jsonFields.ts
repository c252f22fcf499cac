import { z } from 'zod';
import type { Outputs } from '../engine/task';
import { extractJsonObject, isRecord } from './parse';

/** A JSON schema given as a parameter (text), whose top-level properties become output columns. */

export interface ObjectSchema {
  schema: Record<string, unknown>;
  properties: Record<string, Record<string, unknown>>;
  columns: string[];
}

/** The schema text read as an object schema with properties; null when it is not one. */
export function readObjectSchema(text: string): ObjectSchema | null {
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isRecord(schema) || (schema.type !== undefined && schema.type !== 'object')) return null;
  const properties = schema.properties;
  if (!isRecord(properties) || Object.keys(properties).length === 0) return null;
  if (!Object.values(properties).every(isRecord)) return null;
  return {
    schema: { type: 'object', ...schema },
    properties: properties as Record<string, Record<string, unknown>>,
    columns: Object.keys(properties),
  };
}

/** A zod parameter holding a JSON schema text, checked to be an object schema with properties. */
export function schemaParam(defaultSchema: Record<string, unknown>, label: string) {
  return z
    .string()
    .refine((text) => readObjectSchema(text) !== null, {
      message:
        'Write a JSON schema of an object with "properties", e.g. {"type": "object", "properties": {"name": {"type": "string"}}}.',
    })
    .default(JSON.stringify(defaultSchema, null, 2))
    .describe(label);
}

/** The schema's columns; the parameter was validated, so this only guards a stale value. */
export function schemaColumns(text: string): string[] {
  return readObjectSchema(text)?.columns ?? [];
}

function matchesType(value: unknown, type: string): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isRecord(value);
    case 'null':
      return value === null;
    default:
      return true;
  }
}

/**
 * The value when it fits the property's declared type (and enum, and item
 * type for arrays); a number or boolean written as text is read as one.
 * Undefined when it does not fit.
 */
export function fitProperty(value: unknown, property: Record<string, unknown>): unknown {
  const types = Array.isArray(property.type)
    ? (property.type as string[])
    : typeof property.type === 'string'
      ? [property.type]
      : [];
  let fitted = value;
  if (types.length > 0 && !types.some((t) => matchesType(value, t)) && typeof value === 'string') {
    const text = value.trim();
    if ((types.includes('number') || types.includes('integer')) && /^-?\d+(?:\.\d+)?$/.test(text)) {
      fitted = Number(text);
    } else if (types.includes('boolean') && /^(?:true|false)$/i.test(text)) {
      fitted = text.toLowerCase() === 'true';
    }
  }
  if (types.length > 0 && !types.some((t) => matchesType(fitted, t))) return undefined;
  if (Array.isArray(property.enum) && !property.enum.some((e) => e === fitted)) return undefined;
  if (Array.isArray(fitted) && isRecord(property.items)) {
    const items = fitted.map((item) =>
      fitProperty(item, property.items as Record<string, unknown>),
    );
    return items.some((i) => i === undefined) ? undefined : items;
  }
  return fitted;
}

/**
 * The answer's JSON object read into one column per top-level property: a
 * missing property, or a value that does not fit its declared type, is null.
 */
export function readJsonFields(text: string, schemaText: string): Outputs {
  const schema = readObjectSchema(schemaText);
  const json = extractJsonObject(text);
  if (!schema || !json) return {};
  return Object.fromEntries(
    schema.columns.map((column) => {
      const fitted =
        column in json ? fitProperty(json[column], schema.properties[column]) : undefined;
      return [column, fitted === undefined ? null : fitted];
    }),
  );
}
