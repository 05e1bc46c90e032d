import DefaultTheme from "vitepress/theme";
import "katex/dist/katex.min.css";
import "./custom.css";
import type { Theme } from "vitepress";
import AdagradFigure from "./components/AdagradFigure.vue";
import AdamBiasFigure from "./components/AdamBiasFigure.vue";
import CatalogList from "./components/CatalogList.vue";
import MomentumFigure from "./components/MomentumFigure.vue";

/** VitePress's default theme, with KaTeX's stylesheet (fonts bundled) and the guide's figures. */
const theme: Theme = {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component("MomentumFigure", MomentumFigure);
    app.component("AdagradFigure", AdagradFigure);
    app.component("AdamBiasFigure", AdamBiasFigure);
    app.component("CatalogList", CatalogList);
  },
};

export default theme;
