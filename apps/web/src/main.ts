/** The page's entry: the training app, or the benchmark with `?bench=1`. */
import "./style.css";

const root = document.getElementById("app")!;
if (new URLSearchParams(location.search).has("bench")) {
  const { startBench } = await import("./bench/page.js");
  await startBench(root);
} else {
  const { startApp } = await import("./page/app.js");
  await startApp(root);
}
