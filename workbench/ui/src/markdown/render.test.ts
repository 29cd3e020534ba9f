import { describe, expect, it } from "vitest";
import { renderMarkdown, safeHref } from "./render";

describe("markdown", () => {
  it.each([
    ["# Title", "<h1>Title</h1>"],
    ["### Week *47*", "<h3>Week <em>47</em></h3>"],
    ["Plain **bold** and `code <b>`", "<p>Plain <strong>bold</strong> and <code>code &lt;b&gt;</code></p>"],
    ["- one\n- two", "<ul><li>one</li><li>two</li></ul>"],
    ["1. first\n2. second", "<ol><li>first</li><li>second</li></ol>"],
    ["> quoted", "<blockquote><p>quoted</p></blockquote>"],
    ["---", "<hr>"],
    ["```\nmean(value) < 3\n```", "<pre><code>mean(value) &lt; 3</code></pre>"],
    ["line one\nline two", "<p>line one<br>line two</p>"],
    ["[docs](https://example.org/a?b=1&c=2)", '<p><a href="https://example.org/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">docs</a></p>'],
    ["[home](/notebooks)", '<p><a href="/notebooks">home</a></p>'],
    ["snake_case_name stays", "<p>snake_case_name stays</p>"],
  ])("renders %j", (source, html) => {
    expect(renderMarkdown(source)).toBe(html);
  });

  it("never lets HTML or script URLs through", () => {
    const html = renderMarkdown('<img src=x onerror="alert(1)">\n[x](javascript:alert(1)) [y](data:text/html,hi) [z](//evil.example)');
    expect(html).not.toMatch(/<img|href="javascript|href="data|href="\/\/|onerror="/);
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
    expect(safeHref(" JavaScript:alert(1)")).toBeUndefined();
  });
});
