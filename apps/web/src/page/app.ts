/**
 * The training page: wires the form, the buttons, the checkpoint controls and the views to the
 * training worker. The main thread only renders; all tensor work happens in the worker.
 */
import type { DataChoice, FromWorker, RunState, ToWorker } from "../protocol.js";
import { Charts } from "./charts.js";
import { ComparePanel } from "./compare-panel.js";
import { ConfigForm } from "./config-form.js";
import { loadDataMenu } from "./data-menu.js";
import { LAYOUT } from "./layout.js";
import { showConfusion, showPredictions, showSamples, showTimings } from "./views.js";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const RUNNING: RunState[] = ["loading", "training", "paused", "evaluating"];

export async function startApp(root: HTMLElement): Promise<void> {
  root.innerHTML = LAYOUT;
  const worker = new Worker(new URL("../worker/main.ts", import.meta.url), {
    type: "module",
    name: "trainer",
  });
  const send = (message: ToWorker) => worker.postMessage(message);
  const errors = $("error");
  const showError = (message: string) => {
    const line = document.createElement("p");
    line.textContent = message;
    errors.append(line);
  };
  const clearErrors = () => errors.replaceChildren();

  let running = false;
  let state: RunState = "idle";
  let hasModel = false;
  /** Pretrained weights the worker has read (the fine-tune checkbox is usable only then). */
  let hasPretrained = false;
  const form = new ConfigForm(() => {
    const { problems } = form.validate();
    $<HTMLButtonElement>("start").disabled = Boolean(problems) || running;
  });
  const charts = new Charts();
  const compare = new ComparePanel();
  const data = await loadDataMenu(
    $<HTMLSelectElement>("data"),
    $<HTMLInputElement>("idx-files"),
    showError,
    (request, transfer) => {
      clearErrors();
      worker.postMessage({ type: "load-images", request } satisfies ToWorker, transfer);
    },
  );

  const setState = (next: RunState, message: string) => {
    state = next;
    running = RUNNING.includes(next);
    $("state").textContent = next;
    $("state-message").textContent = message;
    $<HTMLButtonElement>("start").disabled = running || Boolean(form.validate().problems);
    const pause = $<HTMLButtonElement>("pause");
    pause.disabled = !(next === "training" || next === "paused");
    pause.textContent = next === "paused" ? "Resume" : "Pause";
    $<HTMLButtonElement>("stop").disabled = !running;
    $<HTMLButtonElement>("evaluate").disabled = running;
    $<HTMLButtonElement>("download").disabled = !hasModel || (running && next !== "paused");
    form.setEnabled(!running);
    $<HTMLInputElement>("use-pretrained").disabled = running || !hasPretrained;
    compare.setRunning(running);
    if (next === "failed") compare.failed(message);
  };

  const dataChoice = (): DataChoice | null => {
    const choice = data.current();
    // "Your images" says itself what is missing.
    if (!choice && $<HTMLSelectElement>("data").value !== "images")
      showError("data: choose a data set or drop the four IDX files first");
    return choice;
  };

  form.form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors();
    const { config, problems } = form.validate();
    const choice = dataChoice();
    if (!config) return showError(problems);
    if (!choice) return;
    charts.clear();
    $("test-accuracy").textContent = "-";
    $("pretrained-notes").replaceChildren();
    send({
      type: "start",
      config,
      data: choice,
      fromLoaded: $<HTMLInputElement>("from-loaded").checked && hasModel,
      pretrained: $<HTMLInputElement>("use-pretrained").checked && hasPretrained,
      auto: form.auto(),
    });
    setState("loading", "starting");
  });
  compare.form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors();
    const settings = compare.read($<HTMLSelectElement>("backend-choice").value || null);
    const choice = dataChoice();
    if (!settings || !choice) return;
    compare.begin(settings);
    send({ type: "compare", settings, data: choice });
    setState("loading", "compare: starting");
  });
  $("compare-stop").addEventListener("click", () => send({ type: "stop" }));
  $("pause").addEventListener("click", () => send({ type: state === "paused" ? "resume" : "pause" }));
  $("stop").addEventListener("click", () => send({ type: "stop" }));
  $("download").addEventListener("click", () => send({ type: "save-checkpoint" }));
  $("evaluate").addEventListener("click", () => {
    clearErrors();
    const { config, problems } = form.validate();
    const choice = dataChoice();
    if (!config) return showError(problems);
    if (!choice) return;
    send({ type: "evaluate", config, data: choice });
    setState("evaluating", "starting");
  });
  $<HTMLInputElement>("upload").addEventListener("change", async (event) => {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    clearErrors();
    const bytes = await file.arrayBuffer();
    // Cleared, so that choosing the same file again (e.g. after changing the settings) loads it again.
    input.value = "";
    worker.postMessage({ type: "load-checkpoint", name: file.name, bytes } satisfies ToWorker, [bytes]);
  });

  $<HTMLInputElement>("pretrained").addEventListener("change", async (event) => {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (!file) return;
    clearErrors();
    const info = $("pretrained-info");
    info.textContent = `reading ${file.name}`;
    info.dataset.state = "loading";
    const bytes = await file.arrayBuffer();
    worker.postMessage({ type: "load-pretrained", name: file.name, bytes } satisfies ToWorker, [bytes]);
  });

  worker.onerror = (event) => showError(`worker: ${event.message || "failed to start"}`);
  worker.onmessage = ({ data: msg }: MessageEvent<FromWorker>) => {
    if (compare.handle(msg)) return;
    switch (msg.type) {
      case "backends":
        form.setBackends(msg.options, msg.recommended);
        $("backend").textContent = `${msg.recommended} (recommended)`;
        break;
      case "backend":
        $("backend").textContent = msg.name;
        break;
      case "backend-timings":
        showTimings($("backend-timings"), msg);
        break;
      case "state":
        setState(msg.state, msg.message);
        break;
      case "summary":
        $("summary").textContent = msg.text;
        hasModel = true;
        break;
      case "samples":
        showSamples($("samples"), msg.grid);
        break;
      case "images-progress":
        data.imagesProgress(msg.key, msg.done, msg.total);
        break;
      case "images-loaded":
        data.imagesLoaded(msg.report);
        break;
      case "images-failed":
        data.imagesFailed(msg.key, msg.message);
        break;
      case "batch":
        $("step").textContent = String(msg.step);
        $("epoch").textContent = String(msg.epoch);
        $("loss").textContent = msg.loss.toFixed(4);
        $("images-per-sec").textContent = msg.imagesPerSec.toFixed(1);
        $("lr-now").textContent = String(msg.lr);
        charts.loss.addTrain(msg.step, msg.loss);
        charts.accuracy.addTrain(msg.step, msg.accuracy);
        break;
      case "epoch":
        if (msg.eval) {
          const step = Number($("step").textContent);
          charts.loss.addTest(step, msg.eval.loss);
          charts.accuracy.addTest(step, msg.eval.accuracy);
          showEval(msg.eval);
        }
        break;
      case "eval":
        showEval(msg.eval);
        break;
      case "checkpoint-loaded":
        hasModel = true;
        $("checkpoint-info").textContent = msg.message;
        // Its recipe and its data's shaping become the page's, so that going on trains and tests as it did.
        if (msg.settings.config) form.fill(msg.settings.config);
        data.useSettings(msg.settings);
        $<HTMLInputElement>("from-loaded").checked = true;
        // Continuing the uploaded model excludes fine-tuning a new one from pretrained weights.
        $<HTMLInputElement>("use-pretrained").checked = false;
        setState(state, $("state-message").textContent ?? "");
        break;
      case "pretrained-read": {
        const info = $("pretrained-info");
        info.textContent = msg.message;
        info.dataset.state = msg.ok ? "loaded" : "failed";
        hasPretrained = msg.ok;
        const use = $<HTMLInputElement>("use-pretrained");
        use.checked = msg.ok;
        use.disabled = running || !msg.ok;
        // Fine-tuning starts a new model from the weights, so it does not continue the current one.
        if (msg.ok) $<HTMLInputElement>("from-loaded").checked = false;
        break;
      }
      case "pretrained-notes":
        for (const line of msg.lines) {
          const item = document.createElement("li");
          item.textContent = line;
          $("pretrained-notes").append(item);
        }
        break;
      case "checkpoint":
        download(msg.bytes, msg.fileName);
        break;
      case "error":
        showError(msg.message);
        break;
    }
  };

  const showEval = (report: {
    accuracy: number;
    loss: number;
    examples: number;
    confusion: number[][];
    samplePredictions: number[];
  }) => {
    const acc = $("test-accuracy");
    acc.textContent = `${(report.accuracy * 100).toFixed(2)}%`;
    acc.dataset.value = String(report.accuracy);
    acc.dataset.loss = String(report.loss);
    acc.dataset.examples = String(report.examples);
    acc.title = `loss ${report.loss.toFixed(4)} on ${report.examples} test examples`;
    showPredictions($("samples"), report.samplePredictions);
    showConfusion($("confusion"), report.confusion);
  };

  setState("idle", "");
  send({ type: "probe", measureBackends: new URLSearchParams(location.search).has("measure-backends") });
}

function download(bytes: ArrayBuffer, fileName: string): void {
  const url = URL.createObjectURL(new Blob([bytes], { type: "application/octet-stream" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
