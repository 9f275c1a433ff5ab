/** The page's static markup; every element the code touches has an id (and a data-testid where tests need it). */
import { AUGMENT_NAMES, NORMALIZE_NAMES } from "@resnet-ts/data";
import { BLOCK_ARRANGEMENTS } from "@resnet-ts/layers";
import {
  CROP_MAX_SIDE,
  MODEL_NAMES,
  PRESET_NAMES,
  SCHEDULE_NAMES,
  STUDY_PRESETS,
  TTA_NAMES,
} from "@resnet-ts/trainer";

const field = (id: string, label: string, input: string, hint = "") =>
  `<label class="field" for="${id}"><span>${label}</span>${input}<small class="hint">${hint}</small>` +
  `<small class="issue" data-issue-for="${id}"></small></label>`;

const number = (id: string, attrs: string) => `<input id="${id}" name="${id}" type="number" ${attrs} />`;

/** A checkbox field whose schema issues show under it. */
const check = (id: string, label: string, text: string) =>
  `<div class="field"><span>${label}</span><label class="check"><input id="${id}" data-testid="${id}" type="checkbox" /> ${text}</label>` +
  `<small class="issue" data-issue-for="${id}"></small></div>`;

/** The first entry of the Augment and Normalize selects: the data's defaults, as `resnet-ts train` chooses them. */
const AUTO_OPTION = `<option value="auto" selected>auto</option>`;

const FREEZE_OPTIONS = ["none", "backbone", "stem", "layers:1", "layers:2", "layers:3", "layers:4"]
  .map((f) => `<option value="${f}">${f}</option>`)
  .join("");

/** One checkbox per variant (arrangement x shortcuts); original with and without shortcuts checked. */
const variantGrid = `<table class="variant-grid"><thead><tr><th>arrangement</th><th>residual</th><th>plain</th></tr></thead><tbody>${BLOCK_ARRANGEMENTS.map(
  (a) =>
    `<tr><th>${a}</th>${[false, true]
      .map(
        (plain) =>
          `<td><input type="checkbox" class="cmp-variant" data-arrangement="${a}" data-plain="${plain}"` +
          ` aria-label="${plain ? "plain " : ""}${a}"${a === "original" ? " checked" : ""} /></td>`,
      )
      .join("")}</tr>`,
).join("")}</tbody></table>`;

const depthOptions = [
  `<option value="resnet18">ResNet-18 (d2l, 18 layers)</option>`,
  ...Array.from(
    { length: 9 },
    (_, k) =>
      `<option value="${k + 1}"${k + 1 === 3 ? " selected" : ""}>CIFAR n=${k + 1} (${6 * (k + 1) + 2} layers)</option>`,
  ),
].join("");

const studyOptions = [
  `<option value="">custom</option>`,
  ...Object.entries(STUDY_PRESETS).map(
    ([name, p]) => `<option value="${name}" title="${p.description}">${name}</option>`,
  ),
].join("");

const COMPARE = `
<section class="panel compare">
  <h2>Compare variants</h2>
  <p class="muted">Each variant trains in turn from the same seed on the same examples, in the same batch order, for the same
    number of SGD steps (as <code>resnet-ts compare</code>). Deep plain nets train worse than their residual twins
    (He et al. 2015); the gradient chart shows how much gradient reaches each stage.</p>
  <div class="compare-body">
    <form id="compare-form" class="compare-form" novalidate>
      ${field("cmp-preset", "Study", `<select id="cmp-preset" data-testid="cmp-preset">${studyOptions}</select>`, "fills in the published study's settings (docs/compare)")}
      <div class="field"><span>Variants</span>${variantGrid}<small class="issue" data-issue-for="cmp-variants"></small></div>
      <div class="row">
        ${field("cmp-depth", "Depth", `<select id="cmp-depth">${depthOptions}</select>`)}
        ${field("cmp-widths", "CIFAR widths", `<input id="cmp-widths" value="16,32,64" />`)}
      </div>
      <div class="row">
        ${field("cmp-steps", "Steps", number("cmp-steps", 'min="1" step="1" value="100"'))}
        ${field("cmp-batch", "Batch size", number("cmp-batch", 'min="1" step="1" value="32"'))}
        ${field("cmp-lr", "Learning rate", number("cmp-lr", 'step="any" value="0.05"'))}
      </div>
      <div class="row">
        ${field("cmp-seed", "Seed", number("cmp-seed", 'min="0" step="1" value="0"'))}
        ${field("cmp-train", "Train examples", number("cmp-train", 'min="1" step="1" value="2000"'))}
        ${field("cmp-every", "Grad norms every", number("cmp-every", 'min="1" step="1" value="5"'))}
        ${field("cmp-resize", "Resolution", `<select id="cmp-resize"><option value="28">28</option><option value="14">14</option></select>`)}
      </div>
      <div class="buttons">
        <button type="submit" id="compare-start" data-testid="compare-start">Compare</button>
        <button type="button" id="compare-stop" data-testid="compare-stop" disabled>Stop</button>
        <span id="compare-status" data-testid="compare-status" class="muted">idle</span>
      </div>
    </form>
    <div class="compare-charts">
      <figure><figcaption>Training loss per step</figcaption><div id="compare-loss-chart" data-testid="compare-loss-chart"></div></figure>
      <figure><figcaption>Gradient norm by stage (mean over recorded steps; 0 = stem, last = classifier)</figcaption>
        <div id="compare-grad-chart" data-testid="compare-grad-chart"></div></figure>
    </div>
  </div>
  <table id="compare-table" data-testid="compare-table" class="compare-table">
    <thead><tr><th>variant</th><th>layers</th><th>params</th><th>final train loss</th><th>stage-1 grad norm</th><th>images/s</th></tr></thead>
    <tbody></tbody>
  </table>
  <div id="compare-recorded-box" hidden>
    <h3>Recorded: <span id="compare-recorded-name"></span></h3>
    <p id="compare-recorded-note" data-testid="compare-recorded-note" class="muted"></p>
    <table id="compare-recorded" data-testid="compare-recorded" class="compare-table">
      <thead><tr><th>variant</th><th>layers</th><th>seeds</th><th>final train loss</th><th>test error %</th><th>stage-1 grad norm</th>
        <th>live: final train loss</th><th>live: stage-1 grad norm</th></tr></thead>
      <tbody></tbody>
    </table>
  </div>
</section>`;

export const LAYOUT = `
<header>
  <h1>ResNet-18 on Fashion-MNIST, in your browser</h1>
  <p class="lede">d2l.ai's ResNet-18 (11.2M parameters), or torchvision's ResNet-18/34/50 fine-tuned from PyTorch weights, trained with resnet-ts in a Web Worker on your own machine.</p>
  <p class="status">Backend: <strong data-testid="backend" id="backend">probing...</strong>
    <span class="sep">|</span> State: <strong data-testid="state" id="state">idle</strong> <span id="state-message"></span></p>
  <p class="status" data-testid="backend-timings" id="backend-timings"></p>
</header>
<main>
  <section class="panel controls">
    <h2>Training</h2>
    <form id="config-form" novalidate>
      ${field("data", "Data", `<select id="data"></select>`, `or drop the four IDX files, or a .zip of class folders, here`)}
      <input id="idx-files" type="file" multiple hidden />
      <fieldset id="images-panel" class="images-panel" hidden>
        <legend>Your images: class folders (<code>&lt;class&gt;/*.png|jpg|jpeg|webp</code>, optionally under train/ and val/)</legend>
        <div class="row">
          <label class="upload">A folder <input id="image-folder" data-testid="image-folder" type="file" webkitdirectory multiple /></label>
          <label class="upload">or a .zip <input id="image-zip" data-testid="image-zip" type="file" accept=".zip,application/zip" /></label>
        </div>
        <div class="row">
          ${field("image-size", "Image size", number("image-size", 'min="8" max="512" step="1" value="32"'), "stored as Resize + CenterCrop")}
          ${field("val-fraction", "Validation fraction", number("val-fraction", 'min="0" max="0.9" step="any" value="0.1"'), "without train/ + val/ folders")}
        </div>
        <p id="images-status" data-testid="images-status" class="muted">no images loaded</p>
        <div id="images-preview" data-testid="images-preview" class="images-preview"></div>
      </fieldset>
      ${field("preset", "Preset", `<select id="preset"><option value="">custom</option>${PRESET_NAMES.map((p) => `<option value="${p}">${p}</option>`).join("")}</select>`)}
      <div class="row">
        ${field("epochs", "Epochs", number("epochs", 'min="1" step="1"'))}
        ${field("batchSize", "Batch size", number("batchSize", 'min="1" step="1"'))}
      </div>
      <div class="row">
        ${field("lr", "Learning rate", number("lr", 'step="any"'))}
        ${field("momentum", "Momentum", number("momentum", 'step="any" min="0" max="1"'))}
      </div>
      <div class="row">
        ${field("schedule", "LR schedule", `<select id="schedule">${SCHEDULE_NAMES.map((s) => `<option value="${s}">${s}</option>`).join("")}</select>`, "onecycle peaks at the learning rate")}
        ${field("warmupEpochs", "Warm-up epochs", number("warmupEpochs", 'step="any" min="0"'))}
      </div>
      <div class="row">
        ${field("weightDecay", "Weight decay", number("weightDecay", 'step="any" min="0" max="1"'))}
        ${field("labelSmoothing", "Label smoothing", number("labelSmoothing", 'step="any" min="0" max="1"'))}
        ${field("randomErasing", "Random erasing", number("randomErasing", 'step="any" min="0" max="1"'), "probability per image (0: off)")}
      </div>
      <div class="row">
        ${field("augment", "Augment", `<select id="augment" data-testid="augment">${AUTO_OPTION}${AUGMENT_NAMES.map((a) => `<option value="${a}">${a}</option>`).join("")}</select>`, `auto: your images crop (up to ${CROP_MAX_SIDE} px) or resized-crop, others none`)}
        ${field("normalize", "Normalize", `<select id="normalize" data-testid="normalize">${AUTO_OPTION}${NORMALIZE_NAMES.map((n) => `<option value="${n}">${n}</option>`).join("")}</select>`, "auto: your images dataset (the training split's mean/std), others none")}
        ${field("tta", "Test-time augmentation", `<select id="tta" data-testid="tta">${TTA_NAMES.map((t) => `<option value="${t}">${t}</option>`).join("")}</select>`, "flip: score each test image with its mirror image (mean logits)")}
      </div>
      <div class="row">
        ${field("resize", "Resolution", `<select id="resize"><option value="28">28 x 28</option><option value="96">96 x 96 (d2l)</option></select>`)}
        ${field("seed", "Seed", number("seed", 'min="0" step="1"'))}
      </div>
      <div class="row">
        ${field("model", "Model", `<select id="model" data-testid="model">${MODEL_NAMES.map((m) => `<option value="${m}">${m}</option>`).join("")}</select>`, "d2l's net, or torchvision's (its keys)")}
        ${check("smallStem", "Stem", "small stem (3x3, no max pool)")}
        ${check("zeroInitResidual", "Residual init", "zero-init residual")}
      </div>
      <fieldset class="pretrained-panel">
        <legend>Fine-tune from PyTorch weights (<code>.pth</code> from <code>torch.save(model.state_dict())</code>, or <code>.safetensors</code>) of the chosen model</legend>
        <div class="row">
          <label class="upload">Pretrained weights <input id="pretrained" data-testid="pretrained" type="file" accept=".pth,.pt,.safetensors" /></label>
          <label class="check"><input id="use-pretrained" data-testid="use-pretrained" type="checkbox" disabled /> fine-tune from them (the head is replaced for another class count)</label>
        </div>
        <p id="pretrained-info" data-testid="pretrained-info" class="muted">no weights uploaded</p>
        <div class="row">
          ${field("freeze", "Freeze", `<select id="freeze" data-testid="freeze">${FREEZE_OPTIONS}</select>`, "frozen parameters get no gradient, no update")}
          ${check("freezeBn", "Frozen BatchNorm", "eval mode")}
          ${field("headLrMult", "Head LR multiplier", number("headLrMult", 'step="any" min="0"'), "the classifier's learning rate x this")}
        </div>
        <ul id="pretrained-notes" data-testid="pretrained-notes" class="notes"></ul>
      </fieldset>
      <div class="row">
        ${field("arrangement", "Residual arrangement", `<select id="arrangement" data-testid="arrangement"></select>`, "He et al. 2016; original is d2l's")}
        <div class="field"><span>Shortcuts</span><label class="check"><input id="plain" data-testid="plain" type="checkbox" /> plain net (none)</label>
          <small class="issue" data-issue-for="plain"></small></div>
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
${COMPARE}
</main>
<footer>Drop IDX files or a .zip of class folders anywhere on the page. Nothing leaves your browser: the data and the model come from this site.</footer>
`;
