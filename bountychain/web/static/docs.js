// The API's description (/openapi.json) as a page: each route, its parameters and answers.
// Rendered here from the schema, with no CDN and no framework, so it works offline under the
// page's strict Content-Security-Policy. Every string goes in as text, never as HTML.

function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children.filter((child) => child !== undefined && child !== null && child !== ""));
  return element;
}

function typeOf(schema = {}) {
  if (schema.$ref) return schema.$ref.split("/").pop();
  const type = Array.isArray(schema.type) ? schema.type.join(" or ") : schema.type || "any";
  const extra = [];
  if (schema.enum) extra.push(`one of ${schema.enum.join(", ")}`);
  if (schema.minimum !== undefined) extra.push(`≥ ${schema.minimum}`);
  if (schema.maximum !== undefined) extra.push(`≤ ${schema.maximum}`);
  if (schema.default !== undefined) extra.push(`default ${schema.default}`);
  if (schema.pattern) extra.push(`matches ${schema.pattern}`);
  return extra.length ? `${type} (${extra.join("; ")})` : type;
}

function operation(path, method, op) {
  const parameters = (op.parameters || []).map((p) => h("tr", {},
    h("td", {}, h("code", {}, p.name)), h("td", {}, p.in), h("td", {}, typeOf(p.schema)), h("td", {}, p.description || "")));
  const responses = Object.entries(op.responses || {}).map(([code, r]) => h("li", {}, h("code", {}, code), ` ${r.description}`));
  return h("section", { class: "card", id: `${method}-${path}` },
    h("h2", {}, h("code", {}, `${method.toUpperCase()} ${path}`), ` — ${op.summary}`),
    h("p", {}, op.description || ""),
    parameters.length ? h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "parameter"), h("th", {}, "in"),
      h("th", {}, "type"), h("th", {}, "meaning"))), h("tbody", {}, ...parameters)) : h("p", { class: "muted" }, "No parameters."),
    h("ul", {}, ...responses));
}

function schemas(components) {
  return Object.entries(components?.schemas || {}).map(([name, schema]) => h("section", { class: "card", id: name },
    h("h2", {}, name),
    h("ul", {}, ...Object.entries(schema.properties || {}).map(([field, s]) =>
      h("li", {}, h("code", {}, field), `: ${typeOf(s)}${s.description ? ` — ${s.description}` : ""}`)))));
}

async function main() {
  const main = document.getElementById("docs");
  try {
    const spec = await (await fetch("/openapi.json")).json();
    const operations = Object.entries(spec.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => operation(path, method, op)));
    main.replaceChildren(h("h1", {}, `${spec.info.title} (version ${spec.info.version})`),
      h("p", {}, spec.info.description), ...operations, h("h1", {}, "Shapes"), ...schemas(spec.components));
  } catch (error) {
    main.replaceChildren(h("p", { class: "failed" }, `The API's description could not be read: ${error.message}`));
  }
  document.body.dataset.ready = "1";
}

main();
