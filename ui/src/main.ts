import { createApp } from "vue";
import "tdesign-vue-next/es/style/index.css";
import "./styles/global.css";
import App from "./App.vue";
import { createConsolePlugins } from "./plugins";

const { pinia, i18n, router } = createConsolePlugins();
createApp(App).use(pinia).use(i18n).use(router).mount("#app");
