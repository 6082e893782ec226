/**
 * The page's HTML shell: every page route answers it, and the bundled script (src/console/web,
 * built into dist/console/web/assets) renders the page into #app. No inline script or style, so the
 * Content-Security-Policy can forbid both; an empty icon, so the browser asks for no /favicon.ico.
 */
export const PAGE_ROUTES = ['/', '/remediations/:namespace/:name', '/approvals', '/catalog', '/alerts', '/sign-in'] as const;

export const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kubernaut console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/app.css">
<script type="module" src="/assets/app.js"></script>
</head>
<body>
<noscript>The Kubernaut console needs JavaScript. Its data is also served as JSON under /api/ (see src/console/api-types.ts).</noscript>
<div id="app"></div>
</body>
</html>
`;
