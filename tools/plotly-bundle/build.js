// Build the partial plotly.js bundle the reports embed (see README.md beside this file).
// Same esbuild settings as plotly.js's own esbuild-config.js, minified, entry = entry.js.
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');
const { environmentPlugin } = require('esbuild-plugin-environment');
const { glsl } = require('esbuild-plugin-glsl');
const InlineCSSPlugin = require('esbuild-plugin-inline-css');

const version = require('plotly.js/package.json').version;
const out = path.join(__dirname, '..', '..', 'workbench', 'reporting', 'vendor',
                      'plotly-workbench.min.js');
esbuild.build({
  entryPoints: [path.join(__dirname, 'entry.js')], write: false,
  format: 'iife', globalName: 'Plotly', bundle: true, minify: true, sourcemap: false,
  plugins: [InlineCSSPlugin(), glsl({ minify: true }), environmentPlugin({ NODE_DEBUG: false })],
  alias: { regl: '@plotly/regl', stream: 'stream-browserify' },
  define: { global: 'window', 'define.amd': 'false' }, target: 'es2016', legalComments: 'none',
}).then((res) => {
  const header = `/** plotly.js v${version} partial bundle: traces scatter, bar, heatmap, histogram.\n` +
    `* Copyright 2012-2026, Plotly, Inc. Licensed under the MIT license.\n` +
    `* Built by tools/plotly-bundle (npm install && npm run build). */\n`;
  fs.writeFileSync(out, header + res.outputFiles[0].text);
  console.log(`wrote ${out}`);
}).catch(() => process.exit(1));
