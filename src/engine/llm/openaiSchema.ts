/**
 * OpenAI's strict structured output takes only schemas whose every object
 * lists all its properties as required and forbids others. Such a schema is
 * sent strict, with `additionalProperties: false` added; any other is sent
 * non-strict, which servers follow as guidance instead of refusing it.
 */
export function responseFormatFor(schema: Record<string, unknown>) {
  const strict = allPropertiesRequired(schema);
  return {
    type: 'json_schema',
    json_schema: { name: 'output', schema: strict ? closeObjects(schema) : schema, strict },
  };
}

type Schema = Record<string, unknown>;

function children(schema: Schema): Schema[] {
  const nested = [
    schema.items,
    ...Object.values((schema.properties as Schema | undefined) ?? {}),
    ...((schema.anyOf as Schema[] | undefined) ?? []),
  ];
  return nested.filter(
    (s): s is Schema => typeof s === 'object' && s !== null && !Array.isArray(s),
  );
}

function allPropertiesRequired(schema: Schema): boolean {
  const properties = Object.keys((schema.properties as Schema | undefined) ?? {});
  const required = (schema.required as string[] | undefined) ?? [];
  return (
    properties.every((p) => required.includes(p)) && children(schema).every(allPropertiesRequired)
  );
}

function closeObjects(schema: Schema): Schema {
  const copy: Schema = { ...schema };
  if (copy.type === 'object' && copy.additionalProperties === undefined)
    copy.additionalProperties = false;
  if (copy.properties) {
    copy.properties = Object.fromEntries(
      Object.entries(copy.properties as Schema).map(([k, v]) => [k, closeObjects(v as Schema)]),
    );
  }
  if (copy.items && typeof copy.items === 'object') copy.items = closeObjects(copy.items as Schema);
  if (Array.isArray(copy.anyOf)) copy.anyOf = (copy.anyOf as Schema[]).map(closeObjects);
  return copy;
}
