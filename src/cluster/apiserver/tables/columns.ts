/**
 * Builders for column definitions, so printers read as a list of headers.
 */
import type { TableColumnDefinition } from './model.ts';

export const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically.';
export const AGE_DESCRIPTION =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is represented in RFC3339 form and is in UTC.';

/** A column; `priority` 1 marks it wide-only (`-o wide`). */
export function col(name: string, type: string, description: string, priority = 0, format = ''): TableColumnDefinition {
  return { name, type, format, description, priority };
}

/** The `Name` column every printer starts with. */
export function nameCol(priority = 0): TableColumnDefinition {
  return col('Name', 'string', NAME_DESCRIPTION, priority, 'name');
}

/** The `Age` column built-in printers use (a preformatted string). */
export function ageCol(): TableColumnDefinition {
  return col('Age', 'string', AGE_DESCRIPTION);
}

/** The wide-only `Containers` and `Images` columns of workload controllers. */
export function containerCols(): TableColumnDefinition[] {
  return [
    col('Containers', 'string', 'Names of each container in the template.', 1),
    col('Images', 'string', 'Images referenced by each container in the template.', 1),
  ];
}

/** The wide-only `Selector` column. */
export function selectorCol(description = 'A label query over pods that should match the replica count.'): TableColumnDefinition {
  return col('Selector', 'string', description, 1);
}
