// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${var} here is pipeline syntax, not a JS template
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDiagnostic, substituteText } from '../../src/pipeline/index.ts';
import { plan } from './helpers.ts';

describe('substituteText (helm/kubectl file contents)', () => {
  it('substitutes the plan variables into file contents, honouring the escape and unknown names', () => {
    const text = 'host: ${host}\nimage: ${ REPO_NAME }:${BUILD_REF}\nkeep: ${%host%} ${unknown}\n';
    const variables = plan('b:\n  s:\n    kubectl: {file: k.yaml}\n', { wharfVars: { host: 'shop.test' } })
      .plan?.variables;
    assert.equal(
      substituteText(text, variables ?? {}),
      'host: shop.test\nimage: shop:17\nkeep: ${host} ${unknown}\n',
    );
  });
});

describe('formatDiagnostic', () => {
  it('prints FILE:LINE:COL: severity: message [scope]', () => {
    const d = {
      severity: 'error' as const,
      file: 'a/.wharf-ci.yml',
      line: 3,
      col: 7,
      path: 'build/s/docker/tag',
      message: 'x',
    };
    assert.equal(formatDiagnostic(d), 'a/.wharf-ci.yml:3:7: error: x [build/s/docker/tag]');
    assert.equal(
      formatDiagnostic({ ...d, path: '', severity: 'warning' }),
      'a/.wharf-ci.yml:3:7: warning: x',
    );
  });
});
