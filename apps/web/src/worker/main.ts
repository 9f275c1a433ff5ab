/** The training worker (a module worker): dispatches the page's messages to the Session. */
import type { FromWorker, ToWorker } from "../protocol.js";
import { Session } from "./session.js";

const scope = self as unknown as {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
};

const session = new Session((message, transfer) => scope.postMessage(message, transfer ?? []));

scope.onmessage = ({ data: msg }) => {
  switch (msg.type) {
    case "probe":
      void session.probe(msg.measureBackends);
      break;
    case "start":
      void session.start(msg.config, msg.data, msg.fromLoaded, msg.pretrained, msg.auto);
      break;
    case "pause":
      session.pause();
      break;
    case "resume":
      session.resume();
      break;
    case "stop":
      session.stop();
      break;
    case "evaluate":
      void session.evaluate(msg.config, msg.data);
      break;
    case "load-checkpoint":
      void session.loadCheckpoint(msg.name, new Uint8Array(msg.bytes));
      break;
    case "load-pretrained":
      void session.loadPretrained(msg.name, new Uint8Array(msg.bytes));
      break;
    case "save-checkpoint":
      void session.saveCheckpoint();
      break;
    case "load-images":
      void session.loadImages(msg.request);
      break;
    case "compare":
      void session.compare(msg.settings, msg.data);
      break;
  }
};
