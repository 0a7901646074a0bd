import { Component, onMounted, onWillStart, useRef, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { loadJS } from "@web/core/assets";
import { Dialog } from "@web/core/dialog/dialog";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { formatFloat } from "@web/core/utils/numbers";
import { Layout } from "@web/search/layout";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";

const DAGRE_URL = "/lot_fefo_recall/static/lib/dagre/dagre.min.js";
const NODE_WIDTH = 190;
const NODE_HEIGHT = 54;
const CUSTOMER_THRESHOLD = 40;
const MIN_ZOOM = 0.05;
const MAX_ZOOM = 3;
// below this scale node labels are no longer legible
const READABLE_ZOOM = 0.6;

function truncate(text, size) {
    text = text || "";
    return text.length > size ? `${text.slice(0, size - 1)}…` : text;
}

/**
 * Lays a graph out left to right with dagre (vendored under static/lib/dagre).
 * Returns positioned nodes, edges with their polyline and label position, and the size.
 */
export function layoutDossierGraph(dagre, nodes, edges) {
    const graph = new dagre.graphlib.Graph({ multigraph: true });
    graph.setGraph({ rankdir: "LR", nodesep: 18, ranksep: 70, marginx: 20, marginy: 20 });
    for (const node of nodes) {
        graph.setNode(node.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
    }
    const known = new Set(nodes.map((node) => node.id));
    const kept = edges.filter((edge) => known.has(edge.source) && known.has(edge.target));
    kept.forEach((edge, index) => {
        const label = edge.label || "";
        graph.setEdge(
            edge.source,
            edge.target,
            { width: label.length * 6.5 + 12, height: 16, labelpos: "c" },
            `e${index}`
        );
    });
    dagre.layout(graph);
    const placed = nodes.map((node) => {
        const box = graph.node(node.id);
        return { ...node, x: box.x - NODE_WIDTH / 2, y: box.y - NODE_HEIGHT / 2 };
    });
    const lines = kept.map((edge, index) => {
        const box = graph.edge(edge.source, edge.target, `e${index}`);
        return {
            ...edge,
            key: `${edge.source}>${edge.target}>${index}`,
            path: box.points.map((p, i) => `${i ? "L" : "M"}${p.x},${p.y}`).join(" "),
            labelX: box.x,
            labelY: box.y,
            labelWidth: box.width,
        };
    });
    const size = graph.graph();
    return { nodes: placed, edges: lines, width: size.width || 0, height: size.height || 0 };
}

class LotDossierReasonDialog extends Component {
    static template = "lot_fefo_recall.LotDossierReasonDialog";
    static components = { Dialog };
    static props = { title: String, confirmLabel: String, confirm: Function, close: Function };

    setup() {
        this.state = useState({ reason: "" });
    }

    async onConfirm() {
        await this.props.confirm(this.state.reason);
        this.props.close();
    }
}

/**
 * The lot dossier: register facts, stock on hand, recalls and the lot's genealogy graph
 * (vendor → receipt → lot → productions → lots made → deliveries → customers, returns
 * back), fed by one call to stock.lot.get_dossier_data.
 */
export class LotDossier extends Component {
    static template = "lot_fefo_recall.LotDossier";
    static components = { Layout };
    static props = { ...standardActionServiceProps };

    setup() {
        this.started = performance.now();
        this.orm = useService("orm");
        this.action = useService("action");
        this.dialog = useService("dialog");
        this.notification = useService("notification");
        this.rootRef = useRef("root");
        this.svgRef = useRef("svg");
        const action = this.props.action || {};
        this.lotId = (action.params && action.params.lot_id) || (action.context || {}).active_id;
        this.state = useState({
            data: null,
            graph: { nodes: [], edges: [], width: 0, height: 0 },
            view: { x: 0, y: 0, k: 1 },
            renderMs: 0,
            layoutMs: 0,
        });
        this.drag = null;
        onWillStart(async () => {
            await loadJS(DAGRE_URL);
            await this.load();
        });
        onMounted(() => {
            this.showFocus();
            this.state.renderMs = Math.round(performance.now() - this.started);
            if (this.env.debug) {
                console.info(`lot_dossier rendered in ${this.state.renderMs} ms`);
            }
        });
    }

    async load() {
        const data = await this.orm.call("stock.lot", "get_dossier_data", [[this.lotId]], {
            customer_threshold: CUSTOMER_THRESHOLD,
        });
        this.state.data = data;
        this.graphNodes = data.nodes;
        this.graphEdges = data.edges;
        this.relayout();
    }

    relayout() {
        const started = performance.now();
        const edges = this.graphEdges.map((edge) => ({
            ...edge,
            label: `${this.formatQty(edge.quantity)} ${edge.uom || ""}`.trim(),
        }));
        this.state.graph = layoutDossierGraph(window.dagre, this.graphNodes, edges);
        this.state.layoutMs = Math.round(performance.now() - started);
    }

    // ------------------------------------------------------------------ display

    formatQty(value) {
        return formatFloat(value || 0, { digits: [false, 2], trailingZeros: false });
    }

    get lot() {
        return this.state.data.lot;
    }

    get isRecalled() {
        return this.lot.recalls.length > 0;
    }

    get viewTransform() {
        const { x, y, k } = this.state.view;
        return `translate(${x},${y}) scale(${k})`;
    }

    nodeClass(node) {
        const classes = ["o_lot_dossier_node", `o_lot_dossier_node_${node.kind}`];
        if (node.focus) {
            classes.push("o_lot_dossier_focus");
        }
        if (node.blocked || node.recalled) {
            classes.push("o_lot_dossier_alert");
        }
        return classes.join(" ");
    }

    nodeKindLabel(node) {
        return {
            vendor: _t("Vendor"),
            receipt: _t("Receipt"),
            lot: _t("Lot"),
            production: _t("Production"),
            delivery: _t("Delivery"),
            customer: _t("Customer"),
            return: _t("Return"),
            group: _t("Group"),
        }[node.kind];
    }

    nodeTitle(node) {
        const flags = [];
        if (node.blocked) {
            flags.push(_t("blocked"));
        }
        if (node.recalled) {
            flags.push(_t("recalled"));
        }
        const lines = [`${this.nodeKindLabel(node)}: ${node.label}`];
        if (node.sublabel) {
            lines.push(node.sublabel);
        }
        if (flags.length) {
            lines.push(flags.join(", "));
        }
        lines.push(node.kind === "group" ? _t("Click to show them") : _t("Click to open"));
        return lines.join("\n");
    }

    truncate(text, size) {
        return truncate(text, size);
    }

    // ------------------------------------------------------------- zoom & pan

    get svgSize() {
        const svg = this.svgRef.el;
        const box = svg ? svg.getBoundingClientRect() : { width: 800, height: 500 };
        return { width: box.width || 800, height: box.height || 500 };
    }

    fit() {
        const { width, height } = this.svgSize;
        const graph = this.state.graph;
        if (!graph.width || !graph.height) {
            return;
        }
        const k = Math.min(Math.max(Math.min(width / graph.width, height / graph.height), MIN_ZOOM), 1.2);
        this.state.view = {
            k,
            x: (width - graph.width * k) / 2,
            y: (height - graph.height * k) / 2,
        };
    }

    /**
     * The first view: the whole graph when it is readable at that scale; otherwise the
     * full width (or at least a readable scale) centred on the dossier's lot, to pan from.
     */
    showFocus() {
        const { width, height } = this.svgSize;
        const graph = this.state.graph;
        const focus = graph.nodes.find((node) => node.focus);
        const fitK = Math.min(width / graph.width, height / graph.height);
        if (!focus || fitK >= READABLE_ZOOM) {
            this.fit();
            return;
        }
        const k = Math.min(Math.max(width / graph.width, READABLE_ZOOM), 1);
        const x = graph.width * k <= width
            ? (width - graph.width * k) / 2
            : width / 3 - (focus.x + NODE_WIDTH / 2) * k;
        this.state.view = { k, x, y: height / 2 - (focus.y + NODE_HEIGHT / 2) * k };
    }

    zoomAt(factor, cx, cy) {
        const view = this.state.view;
        const k = Math.min(Math.max(view.k * factor, MIN_ZOOM), MAX_ZOOM);
        const ratio = k / view.k;
        this.state.view = { k, x: cx - (cx - view.x) * ratio, y: cy - (cy - view.y) * ratio };
    }

    zoomBy(factor) {
        const { width, height } = this.svgSize;
        this.zoomAt(factor, width / 2, height / 2);
    }

    onWheel(ev) {
        ev.preventDefault();
        const box = this.svgRef.el.getBoundingClientRect();
        this.zoomAt(ev.deltaY < 0 ? 1.15 : 1 / 1.15, ev.clientX - box.left, ev.clientY - box.top);
    }

    onPointerDown(ev) {
        if (ev.button !== 0) {
            return;
        }
        const view = this.state.view;
        this.drag = { x: ev.clientX, y: ev.clientY, vx: view.x, vy: view.y, moved: false };
    }

    onPointerMove(ev) {
        if (!this.drag) {
            return;
        }
        const dx = ev.clientX - this.drag.x;
        const dy = ev.clientY - this.drag.y;
        if (!this.drag.moved && Math.abs(dx) + Math.abs(dy) < 4) {
            return;
        }
        this.drag.moved = true;
        this.state.view = { ...this.state.view, x: this.drag.vx + dx, y: this.drag.vy + dy };
    }

    onPointerUp() {
        // keep the flag until the click that follows a drag has been ignored
        if (this.drag) {
            this.wasDragged = this.drag.moved;
        }
        this.drag = null;
    }

    // ------------------------------------------------------------------ clicks

    async onNodeClick(node) {
        if (this.wasDragged) {
            this.wasDragged = false;
            return;
        }
        if (node.kind === "group") {
            this.expandGroup(node.id);
            return;
        }
        if (!node.model || !node.res_id) {
            return;
        }
        await this.action.doAction({
            type: "ir.actions.act_window",
            res_model: node.model,
            res_id: node.res_id,
            views: [[false, "form"]],
        });
    }

    expandGroup(groupId) {
        const group = (this.state.data.groups || {})[groupId];
        if (!group) {
            return;
        }
        this.graphNodes = this.graphNodes.filter((node) => node.id !== groupId).concat(group.nodes);
        this.graphEdges = this.graphEdges
            .filter((edge) => edge.source !== groupId && edge.target !== groupId)
            .concat(group.edges);
        this.relayout();
        this.showFocus();
    }

    openLocation(row) {
        return this.action.doAction({
            type: "ir.actions.act_window",
            res_model: "stock.location",
            res_id: row.location_id,
            views: [[false, "form"]],
        });
    }

    // ----------------------------------------------------------------- buttons

    async callLot(method, args = []) {
        const result = await this.orm.call("stock.lot", method, [[this.lotId], ...args]);
        if (result && typeof result === "object") {
            await this.action.doAction(result);
        }
        return result;
    }

    onRecall() {
        return this.callLot("action_dossier_recall");
    }

    onPrintLabels() {
        return this.callLot("action_dossier_print_labels");
    }

    onExport() {
        return this.callLot("action_dossier_export");
    }

    onBlockToggle() {
        const block = !this.lot.is_blocked;
        this.dialog.add(LotDossierReasonDialog, {
            title: block
                ? _t("Block lot %s", this.lot.name)
                : _t("Release lot %s", this.lot.name),
            confirmLabel: block ? _t("Block") : _t("Unblock"),
            confirm: async (reason) => {
                await this.callLot(block ? "action_dossier_block" : "action_dossier_unblock", [
                    reason,
                ]);
                this.notification.add(
                    block ? _t("Lot %s is blocked.", this.lot.name) : _t("Lot %s is released.", this.lot.name),
                    { type: "success" }
                );
                await this.load();
                this.showFocus();
            },
        });
    }
}

registry.category("actions").add("lot_fefo_recall.lot_dossier", LotDossier);
