import { sampleFile, SAMPLE_FILE_TYPES } from '@polystore/testing';
import { contentProblem, SNIFF_BYTES } from '../src/content-check.js';

const head = (bytes: Buffer) => bytes.subarray(0, SNIFF_BYTES);
const HTML = Buffer.from('<!DOCTYPE html><html><script>alert(1)</script></html>');

describe('contentProblem', () => {
  it.each(SAMPLE_FILE_TYPES)('accepts the first bytes of a real %s', (type) => {
    expect(contentProblem(type, head(sampleFile(type, 'x', 200)))).toBeNull();
  });

  it.each(SAMPLE_FILE_TYPES)('refuses HTML declared as %s', (type) => {
    expect(contentProblem(type, head(HTML))).toMatch(/not/);
  });

  it.each(
    SAMPLE_FILE_TYPES.flatMap((declared) =>
      SAMPLE_FILE_TYPES.filter((other) => other !== declared).map((other) => [declared, other]),
    ),
  )('refuses %s over the bytes of a %s', (declared, other) => {
    expect(contentProblem(declared, head(sampleFile(other)))).not.toBeNull();
  });

  it('refuses too few bytes, and image types it cannot check', () => {
    expect(contentProblem('image/png', Buffer.from([0x89, 0x50]))).not.toBeNull();
    expect(contentProblem('image/jpeg', Buffer.alloc(0))).not.toBeNull();
    expect(contentProblem('image/tiff', Buffer.from('II*\u0000'))).toMatch(/cannot be checked/);
  });

  it('accepts SVG markup after a byte-order mark, blanks, an XML declaration or a comment, and nothing binary', () => {
    for (const text of ['\uFEFF<svg/>', '\n  <?xml version="1.0"?><svg/>', '<!-- demo --><svg/>', '<svg\n>']) {
      expect(contentProblem('image/svg+xml', Buffer.from(text))).toBeNull();
    }
    expect(contentProblem('image/svg+xml', Buffer.from('<svg\u0000'))).not.toBeNull();
    expect(contentProblem('image/svg+xml', Buffer.from('<html><svg/>'))).not.toBeNull();
  });
});
