/** Entry point: mounts the workbench UI. */
import { mount } from "svelte";
import "./app.css";
import App from "./app/App.svelte";

mount(App, { target: document.getElementById("app")! });
