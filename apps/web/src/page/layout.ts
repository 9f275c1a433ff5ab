/** The page's static markup; every element the code touches has an id (and a data-testid where tests need it). */

const field = (id: string, label: string, input: string, hint = "") =>
  `<label class="field" for="${id}"><span>${label}</span>${input}<small class="hint">${hint}</small>` +
  `<small class="issue" data-issue-for="${id}"></small></label>`;

const number = (id: string, attrs: string) => `<input id="${id}" name="${id}" type="number" ${attrs} />`;

export const LAYOUT = `
<header>
  <h1>ResNet-18 on Fashion-MNIST, in your browser</h1>
  <p class="lede">d2l.ai's ResNet-18 (11.2M parameters) trained with resnet-ts in a Web Worker, on your own machine.</p>
  <p class="status">Backend: <strong data-testid="backend" id="backend">probing...</strong>
    <span class="sep">|</span> State: <strong data-testid="state" id="state">idle</strong> <span id="state-message"></span></p>
</header>
<main>
  <section class="panel controls">
    <h2>Training</h2>
    <form id="config-form" novalidate>
      ${field("data", "Data", `<select id="data"></select>`, `or drop the four IDX files here`)}
      <input id="idx-files" type="file" multiple hidden />
      ${field("preset", "Preset", `<select id="preset"><option value="">custom</option><option value="quick">quick</option><option value="d2l">d2l</option></select>`)}
      <div class="row">
        ${field("epochs", "Epochs", number("epochs", 'min="1" step="1"'))}
        ${field("batchSize", "Batch size", number("batchSize", 'min="1" step="1"'))}
      </div>
      <div class="row">
        ${field("lr", "Learning rate", number("lr", 'step="any"'))}
        ${field("momentum", "Momentum", number("momentum", 'step="any" min="0" max="1"'))}
      </div>
      <div class="row">
        ${field("resize", "Resolution", `<select id="resize"><option value="28">28 x 28</option><option value="96">96 x 96 (d2l)</option></select>`)}
        ${field("seed", "Seed", number("seed", 'min="0" step="1"'))}
      </div>
      <div class="row">
        ${field("steps", "Max steps", number("steps", 'min="1" step="1" placeholder="all"'))}
        ${field("trainLimit", "Train examples", number("trainLimit", 'min="1" step="1" placeholder="all"'))}
        ${field("testLimit", "Test examples", number("testLimit", 'min="1" step="1" placeholder="all"'))}
      </div>
      ${field("backend-choice", "Backend", `<select id="backend-choice"><option value="">automatic</option></select>`, "")}
      <div class="buttons">
        <button type="submit" id="start" data-testid="start">Start</button>
        <button type="button" id="pause" data-testid="pause" disabled>Pause</button>
        <button type="button" id="stop" data-testid="stop" disabled>Stop</button>
      </div>
    </form>
    <h2>Checkpoint</h2>
    <div class="checkpoint">
      <button type="button" id="download" data-testid="download" disabled>Download .safetensors</button>
      <label class="upload">Upload a checkpoint (CLI, PyTorch or this page)
        <input id="upload" data-testid="upload" type="file" accept=".safetensors" /></label>
      <label class="check"><input id="from-loaded" type="checkbox" /> Start from the current model (continue training)</label>
      <button type="button" id="evaluate" data-testid="evaluate">Evaluate on the test set</button>
      <p id="checkpoint-info" data-testid="checkpoint-info" class="muted"></p>
    </div>
    <div id="error" data-testid="error" class="error" role="alert"></div>
  </section>
  <section class="panel results">
    <div class="stats">
      <div><span>Step</span><strong id="step" data-testid="step">0</strong></div>
      <div><span>Epoch</span><strong id="epoch">-</strong></div>
      <div><span>Loss</span><strong id="loss" data-testid="loss">-</strong></div>
      <div><span>Test accuracy</span><strong id="test-accuracy" data-testid="test-accuracy">-</strong></div>
      <div><span>Images/s</span><strong id="images-per-sec" data-testid="images-per-sec">-</strong></div>
      <div><span>Learning rate</span><strong id="lr-now">-</strong></div>
    </div>
    <div class="charts">
      <figure><figcaption>Loss (train per batch, test per epoch)</figcaption><div id="loss-chart"></div></figure>
      <figure><figcaption>Accuracy (train per batch, test per epoch)</figcaption><div id="acc-chart"></div></figure>
    </div>
    <div class="views">
      <figure><figcaption>Test images: predicted / true</figcaption><div id="samples" class="samples"></div></figure>
      <figure><figcaption>Confusion matrix (rows: true, columns: predicted)</figcaption><div id="confusion"></div></figure>
    </div>
    <figure><figcaption>Model summary</figcaption><pre id="summary" data-testid="summary">-</pre></figure>
  </section>
</main>
<footer>Drop IDX files anywhere on the page. Nothing leaves your browser: the data and the model come from this site.</footer>
`;
