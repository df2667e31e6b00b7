/** A Kubernetes label selector (`metav1.LabelSelector`): labels that must match, and expressions. */
export interface LabelSelector {
  matchLabels?: Readonly<Record<string, string>> | undefined;
  matchExpressions?:
    | readonly {
        key: string;
        operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
        values?: readonly string[] | undefined;
      }[]
    | undefined;
}

/** A label selector in the API's query syntax (`a=b,c in (d,e),!f`), for a list call. Empty selects everything. */
export function labelSelectorQuery(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`);
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    if (operator === 'In') parts.push(`${key} in (${values.join(',')})`);
    else if (operator === 'NotIn') parts.push(`${key} notin (${values.join(',')})`);
    else if (operator === 'Exists') parts.push(key);
    else parts.push(`!${key}`);
  }
  return parts.join(',');
}

/** Whether an object's labels match a label selector, as the API server decides it (`{}` matches everything). */
export function labelSelectorMatches(
  selector: LabelSelector,
  labels: Readonly<Record<string, string>>,
): boolean {
  const labelled = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  return (
    labelled &&
    (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
      const has = key in labels;
      if (operator === 'Exists') return has;
      if (operator === 'DoesNotExist') return !has;
      const inValues = has && values.includes(labels[key] as string);
      return operator === 'In' ? inValues : !inValues;
    })
  );
}
