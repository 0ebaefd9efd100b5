const VARIABLE = /\$\{%([^}]*)%\}|\$\{([^}]*)\}/g;

/**
 * `${name}` → the variable's value (name trimmed); `${%name%}` → literal `${name}`;
 * an unknown name stays as written. One pass: values are already resolved.
 */
export function substituteVariables(text: string, variables: Record<string, string>): string {
  return text.replace(VARIABLE, (whole, escaped: string | undefined, name: string | undefined) => {
    if (escaped !== undefined) return `\${${escaped}}`;
    const key = (name ?? '').trim();
    return Object.hasOwn(variables, key) ? (variables[key] as string) : whole;
  });
}
