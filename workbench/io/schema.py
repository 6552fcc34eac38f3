"""The workbench data model: tables, columns, types, units.

This module is the single source of truth for column names. ``docs/data-model.md``
is generated from it (``workbench docs``) and a test keeps the two in sync.

Every table is long and tidy: one row per record, one column per field. Column
types are one of

``string``
    Identifier or free text (pandas ``string``/``str``).
``int``
    Whole number, nullable (pandas ``Int64``).
``float``
    Quantity, money or duration (``float64``; missing is ``NaN``).
``date``
    Calendar date (``datetime64``, time of day dropped; missing is ``NaT``).
``bool``
    Flag (pandas nullable ``boolean``).

Loaded tables also carry lineage columns ``source_file`` and ``source_row`` (see
:data:`LINEAGE_COLUMNS`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workbench.exceptions import ChoiceError, UnknownTableError
from workbench.validation import check_choice

__all__ = [
    "CANCELLED_STATUSES",
    "COLUMN_TYPES",
    "COMPLAINTS",
    "CUSTOMERS",
    "Column",
    "DELIVERED_STATUSES",
    "FORECAST",
    "INVENTORY",
    "ITEMS",
    "LINEAGE_COLUMNS",
    "OPEN_STATUSES",
    "ORDER_CHANGES",
    "ORDER_LINES",
    "SHIPPED_STATUSES",
    "SUPPLY_PLAN",
    "TABLES",
    "Table",
    "data_model_markdown",
    "get_table",
]

LINEAGE_COLUMNS: tuple[str, ...] = ("source_file", "source_row")
"""Lineage carried by every loaded, quarantined and issue row.

``source_row`` is the row number a spreadsheet program shows for the record
(header = row 1; for Excel, the real sheet row; for SQL, the 1-based position
in the result set)."""

# Status vocabulary of order_lines.status (compared trimmed and case-insensitively).
CANCELLED_STATUSES: tuple[str, ...] = ("cancelled", "canceled")
"""Line statuses (case-insensitive, trimmed) that remove a line from every KPI."""
OPEN_STATUSES: tuple[str, ...] = ("open",)
"""Line statuses that keep a line open whatever its dates say (e.g. after a partial shipment)."""
SHIPPED_STATUSES: tuple[str, ...] = ("shipped", "delivered", "closed")
"""Line statuses that mark a line as shipped when it has no ship or delivery date."""
DELIVERED_STATUSES: tuple[str, ...] = ("delivered",)
"""Line statuses that mark a line as delivered when it has no delivery date."""

COLUMN_TYPES = ("string", "int", "float", "date", "bool")


@dataclass(frozen=True)
class Column:
    """One column of a data-model table."""

    name: str
    type: str
    required: bool
    description: str
    unit: str = ""
    synonyms: tuple[str, ...] = ()
    nonnegative: bool = False

    def __post_init__(self) -> None:
        check_choice(self.type, COLUMN_TYPES, key="type",
                     what=f"column {self.name}: type {self.type!r}")


@dataclass(frozen=True)
class Table:
    """A data-model table: its columns, key and row-level rules."""

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    date_order: tuple[tuple[str, str], ...] = ()
    """Pairs ``(earlier, later)``: a row where ``later < earlier`` is quarantined."""
    masters: dict[str, str] = field(default_factory=dict)
    """Column -> master table whose key it must match when the master is given."""

    @property
    def names(self) -> list[str]:
        """Column names, in table order."""
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        """Names of the required columns, in table order."""
        return [c.name for c in self.columns if c.required]

    @property
    def optional(self) -> list[str]:
        """Names of the optional columns, in table order."""
        return [c.name for c in self.columns if not c.required]

    def column(self, name: str) -> Column:
        """Return the column called ``name``.

        Raises
        ------
        ChoiceError
            The table has no such column.
        """
        for c in self.columns:
            if c.name == name:
                return c
        raise ChoiceError(f"column {name!r} of table {self.name!r} is not one of {', '.join(self.names)}",
                          key="column", value=name, fix=f"use one of {', '.join(self.names)}.")


def _c(name, type_, required, description, unit="", synonyms=(), nonnegative=False):
    return Column(name, type_, required, description, unit, tuple(synonyms), nonnegative)


ORDER_LINES = Table(
    name="order_lines",
    description="One row per customer order line: what was ordered, promised, shipped and delivered.",
    key=("order_id", "line_no"),
    date_order=(("order_date", "ship_date"), ("order_date", "delivery_date")),
    masters={"customer_id": "customers", "item_id": "items"},
    columns=(
        _c("order_id", "string", True, "Customer order number.",
           synonyms=("order", "order no", "order number", "order id", "order ref",
                     "order reference", "order code", "so", "so number", "so no", "sales order",
                     "sales order no", "sales order number", "sales order id", "sales document",
                     "document number", "document no", "doc no", "bill no", "订单号", "订单编号",
                     "订单号码", "销售订单", "销售订单号", "销售订单编号", "销售单号", "单号",
                     "单据编号", "单据号", "VBELN", "cSOCode", "vbillcode", "FBillNo", "Verkaufsbeleg",
                     "Auftragsnummer", "Auftrag", "invoice no", "invoice number", "invoice id")),
        _c("line_no", "int", True,
           "Line number within the order. If the source has none, lines are numbered "
           "1, 2, ... within each order in file order (recorded in the summary).",
           synonyms=("line", "line number", "order line", "line no", "line id", "line item",
                     "order line no", "order item id", "sales document item", "position",
                     "sequence", "idx", "行号", "项次", "行项目", "订单行号", "行序号", "POSNR",
                     "iRowNo", "crowno")),
        _c("customer_id", "string", True, "Customer (sold-to) identifier.",
           synonyms=("customer", "customer code", "customer number", "sold to", "customer id",
                     "customer no", "customer account", "sold-to party", "sold-to customer",
                     "sell-to customer no", "client", "client id", "client code", "客户",
                     "客户编号", "客户代码", "客户名称", "客户编码", "客户号", "购货单位", "KUNNR",
                     "cCusCode", "FCustId", "partner", "partner id", "order partner id",
                     "Auftraggeber", "Kunde", "Kundennummer")),
        _c("item_id", "string", True, "Item / SKU / material identifier.",
           synonyms=("item", "sku", "material", "product", "part number", "item id", "item code",
                     "item number", "item no", "product id", "product code", "product number",
                     "product card id", "sku code", "material number", "material code",
                     "part no", "article", "article number", "物料", "物料编码", "物料号", "料号",
                     "产品", "产品编码", "品号", "物料编号", "物料代码", "存货编码", "存货代码",
                     "产品编号", "商品编码", "商品编号", "MATNR", "cInvCode", "FMaterialId",
                     "Materialnummer", "Artikelnummer", "stock code", "stock item code")),
        _c("order_date", "date", True, "Date the order was received/entered.",
           synonyms=("order date", "created", "订单日期", "下单日期", "接单日期", "sales order date",
                     "document date", "doc date", "date ordered", "order datetime",
                     "order creation date", "created on", "creation date", "transaction date",
                     "单据日期", "制单日期", "订货日期", "销售日期", "AUDAT", "dbilldate", "Belegdatum",
                     "Auftragsdatum", "invoice date", "purchase date", "order purchase timestamp",
                     "purchase timestamp", "order timestamp", "order placed date")),
        _c("requested_date", "date", False, "Delivery date the customer asked for.",
           synonyms=("requested date", "request date", "customer requested date", "要求交货日期",
                     "需求日期", "客户要求日期", "requested delivery date",
                     "request delivery date", "requested ship date", "need by date",
                     "要货日期", "要求到货日期", "客户需求日期", "期望交货日期", "VDATU",
                     "dreceivedate")),
        _c("promised_date", "date", False, "Delivery date committed to the customer.",
           synonyms=("promised date", "promise date", "commit date", "confirmed date",
                     "承诺交货日期", "承诺日期", "确认交期", "promised delivery date",
                     "confirmed delivery date", "committed date", "commitment date",
                     "scheduled delivery date", "planned delivery date", "计划交货日期",
                     "预计交货日期", "确认交货日期", "estimated delivery date",
                     "order estimated delivery date", "expected delivery date")),
        _c("ship_date", "date", False, "Date the goods left the site.",
           synonyms=("ship date", "shipped date", "发货日期", "出货日期", "shipping date",
                     "shipment date", "dispatch date", "despatch date", "goods issue date",
                     "actual goods issue date", "act gds mvmnt date", "实际发货日期", "出库日期",
                     "发运日期", "Warenausgangsdatum", "order delivered carrier date",
                     "delivered carrier date")),
        _c("delivery_date", "date", False, "Date the goods reached the customer.",
           synonyms=("delivery date", "delivered date", "actual delivery date", "实际交货日期",
                     "交货日期", "到货日期", "签收日期", "delivered to client date",
                     "proof of delivery date", "pod date", "received date", "receipt date",
                     "实际到货日期", "收货日期", "order delivered customer date",
                     "delivered customer date")),
        _c("qty_ordered", "float", True, "Quantity ordered.", "item unit", nonnegative=True,
           synonyms=("quantity", "qty", "order qty", "ordered qty", "数量", "订单数量", "订购数量",
                     "order quantity", "ordered quantity", "order item quantity",
                     "quantity ordered", "sales quantity", "line item quantity", "订货数量",
                     "销售数量", "KWMENG", "iQuantity", "FQty", "product uom qty", "Auftragsmenge",
                     "Menge")),
        _c("qty_shipped", "float", False, "Quantity shipped.", "item unit", nonnegative=True,
           synonyms=("shipped qty", "qty shipped", "发货数量", "出货数量", "shipped quantity",
                     "quantity shipped", "delivery quantity", "dispatched quantity",
                     "issued quantity", "实发数量", "已发数量", "累计发货数量", "出库数量",
                     "累计出库数量", "LFIMG", "iFHQuantity")),
        _c("qty_delivered", "float", False, "Quantity delivered and accepted.", "item unit",
           nonnegative=True, synonyms=("delivered qty", "qty delivered", "交货数量", "实收数量",
                                       "到货数量", "delivered quantity", "received quantity",
                                       "accepted quantity", "签收数量", "累计签收数量")),
        _c("unit_price", "float", False, "Net selling price per item unit.", "currency / item unit",
           nonnegative=True, synonyms=("price", "unit price", "单价", "销售单价", "net price",
                                       "selling price", "sales price", "price per unit",
                                       "item price", "order item price",
                                       "order item product price", "rate", "价格", "无税单价",
                                       "含税单价", "NETPR", "Nettopreis")),
        _c("site", "string", False, "Shipping site, plant or warehouse.",
           synonyms=("plant", "warehouse", "ship from", "工厂", "仓库", "发货仓库", "地点",
                     "plant code", "warehouse code", "ship-from site", "delivery warehouse",
                     "shipping point", "出货仓库", "库存组织", "WERKS", "warehouse id", "Werk")),
        _c("status", "string", False,
           "Line status: open, shipped, delivered or cancelled (free text kept as given).",
           synonyms=("line status", "order status", "状态", "订单状态", "order line status",
                     "document status", "单据状态", "行状态")),
        _c("invoice_error", "bool", False, "The invoice for this line was wrong (price, qty, address).",
           synonyms=("发票错误", "invoice error")),
        _c("qty_damaged", "float", False, "Quantity delivered damaged.", "item unit",
           nonnegative=True, synonyms=("damaged qty", "破损数量", "damaged quantity")),
        _c("substituted_item", "string", False, "Item shipped instead of the ordered one, if any.",
           synonyms=("substitute", "替代物料", "substitute item", "substituted item")),
        _c("route_changed", "bool", False, "The shipment was re-routed after planning.",
           synonyms=("改道", "rerouted", "re-routed")),
        _c("qty_returned", "float", False, "Quantity returned or credited afterwards.", "item unit",
           nonnegative=True, synonyms=("returned qty", "退货数量", "returned quantity",
                                       "return quantity")),
        _c("filled_from_stock", "bool", False,
           "The line was filled from available stock (not made/bought to order).",
           synonyms=("from stock", "现货", "filled from stock")),
        _c("first_promised_date", "date", False,
           "Delivery date first committed to the customer, before any re-promise "
           "(promised_date is the current promise). Derived from the order-change log when "
           "absent (workbench.kpis.with_first_promised_date).",
           synonyms=("first promised date", "first promise date", "original promised date",
                     "original promise date", "original commit date", "original confirmed date",
                     "first confirmed date", "original promised delivery date",
                     "initial promised date", "首次承诺日期", "首次承诺交期", "原承诺日期",
                     "原承诺交期", "原始承诺日期", "初始承诺日期", "最初承诺日期")),
        _c("released_date", "date", False,
           "Date the line was released to fulfilment (credit release, order acknowledgement "
           "or approval); waiting before it is left out of the net cycle time.",
           synonyms=("released date", "release date", "order release date", "credit release date",
                     "acknowledgement date", "acknowledgment date", "acknowledged date",
                     "order acknowledgement date", "approval date", "approved date",
                     "下达日期", "释放日期", "订单下达日期", "审核日期", "订单审核日期",
                     "审批日期", "订单确认日期")),
    ),
)

ORDER_CHANGES = Table(
    name="order_changes",
    description="Customer order change log: one row per change to an order line.",
    key=("order_id", "line_no", "change_seq"),
    columns=(
        _c("order_id", "string", True, "Customer order number.", synonyms=("订单号",)),
        _c("line_no", "int", True, "Order line changed.", synonyms=("行号",)),
        _c("change_seq", "int", True, "Sequence number of the change within the line (1, 2, ...)."),
        _c("change_date", "date", True, "Date the customer asked for the change.",
           synonyms=("变更日期",)),
        _c("change_type", "string", True,
           "One of qty_up, qty_down, date_in, date_out, spec, cancel.", synonyms=("变更类型",)),
        _c("customer_id", "string", False, "Customer (denormalised for convenience)."),
        _c("item_id", "string", False, "Item (denormalised for convenience)."),
        _c("old_qty", "float", False, "Quantity before the change.", "item unit"),
        _c("new_qty", "float", False, "Quantity after the change.", "item unit"),
        _c("old_date", "date", False, "Requested date before the change."),
        _c("new_date", "date", False, "Requested date after the change."),
        _c("reason", "string", False, "Reason given, free text."),
        _c("old_promised_date", "date", False,
           "Promised date before the change, on a change that moved the promise (the first "
           "such change of a line gives its first_promised_date).",
           synonyms=("old promised date", "previous promised date", "old promise date",
                     "old confirmed date", "变更前承诺日期")),
        _c("new_promised_date", "date", False, "Promised date after the change.",
           synonyms=("new promised date", "new promise date", "new confirmed date",
                     "新承诺日期", "变更后承诺日期")),
    ),
)

CUSTOMERS = Table(
    name="customers",
    description="Customer master.",
    key=("customer_id",),
    columns=(
        _c("customer_id", "string", True, "Customer identifier.", synonyms=("客户编号", "客户")),
        _c("customer_name", "string", False, "Display name (escaped in every report).",
           synonyms=("name", "客户名称")),
        _c("segment", "string", False, "Business segment (e.g. distributor, OEM, retail).",
           synonyms=("行业", "客户类别")),
        _c("tier", "string", False, "Service tier (A/B/C), if set by the business.",
           synonyms=("客户等级",)),
        _c("region", "string", False, "Sales region.", synonyms=("区域",)),
        _c("since", "date", False, "Customer since.", synonyms=("开户日期",)),
        _c("language", "string", False, "Preferred language for notices: en or zh."),
        _c("contact_email", "string", False, "Contact for delivery notices."),
    ),
)

ITEMS = Table(
    name="items",
    description="Item master with planning parameters.",
    key=("item_id",),
    columns=(
        _c("item_id", "string", True, "Item identifier.", synonyms=("物料编码", "物料")),
        _c("description", "string", False, "Item description.", synonyms=("物料描述",)),
        _c("product_group", "string", False, "Product group.", synonyms=("产品组",)),
        _c("unit_cost", "float", False, "Standard cost per unit.", "currency / unit",
           nonnegative=True, synonyms=("标准成本",)),
        _c("unit_price", "float", False, "List price per unit.", "currency / unit",
           nonnegative=True),
        _c("lead_time_days", "float", False, "Replenishment lead time.", "days",
           nonnegative=True, synonyms=("lead time", "提前期")),
        _c("safety_stock", "float", False, "Safety stock.", "item unit", nonnegative=True,
           synonyms=("安全库存",)),
        _c("lot_size", "float", False, "Fixed lot size / minimum order quantity.", "item unit",
           nonnegative=True, synonyms=("批量",)),
        _c("demand_pattern", "string", False,
           "Demand pattern label (smooth, seasonal, intermittent), if known."),
    ),
)

SUPPLY_PLAN = Table(
    name="supply_plan",
    description="Scheduled receipts and MPS: supply arriving per item and date.",
    key=("receipt_id",),
    columns=(
        _c("receipt_id", "string", True, "Receipt / MPS line identifier."),
        _c("item_id", "string", True, "Item received.", synonyms=("物料",)),
        _c("due_date", "date", True, "Date the receipt is available.", synonyms=("到货日期",)),
        _c("qty", "float", True, "Quantity received.", "item unit", nonnegative=True,
           synonyms=("数量",)),
        _c("firm", "bool", True,
           "True for a firm/confirmed receipt (released order), False for a planned one."),
        _c("site", "string", False, "Receiving site."),
        _c("source", "string", False, "MPS, purchase order, production order, transfer."),
    ),
)

INVENTORY = Table(
    name="inventory",
    description="On-hand inventory snapshot per item (and site) at a date.",
    key=("item_id", "site", "snapshot_date"),
    columns=(
        _c("item_id", "string", True, "Item.", synonyms=("物料",)),
        _c("snapshot_date", "date", True, "Date of the snapshot (start of day).",
           synonyms=("盘点日期",)),
        _c("on_hand", "float", True, "Usable on-hand quantity.", "item unit", nonnegative=True,
           synonyms=("库存", "现有库存")),
        _c("site", "string", False, "Site or warehouse."),
        _c("allocated", "float", False, "Quantity already allocated/picked.", "item unit",
           nonnegative=True),
    ),
)

FORECAST = Table(
    name="forecast",
    description="Demand forecast per item and period, optionally with an interval.",
    key=("item_id", "period_start"),
    columns=(
        _c("item_id", "string", True, "Item.", synonyms=("物料",)),
        _c("period_start", "date", True, "First day of the forecast period."),
        _c("forecast_qty", "float", True, "Point forecast for the period.", "item unit",
           nonnegative=True, synonyms=("预测数量",)),
        _c("lower", "float", False, "Lower prediction-interval bound.", "item unit"),
        _c("upper", "float", False, "Upper prediction-interval bound.", "item unit"),
        _c("method", "string", False, "Forecast method."),
    ),
)

COMPLAINTS = Table(
    name="complaints",
    description="Customer complaints.",
    key=("complaint_id",),
    date_order=(("complaint_date", "resolved_date"),),
    columns=(
        _c("complaint_id", "string", True, "Complaint identifier."),
        _c("customer_id", "string", True, "Customer.", synonyms=("客户",)),
        _c("complaint_date", "date", True, "Date received.", synonyms=("投诉日期",)),
        _c("category", "string", True,
           "Category: late, short, damaged, invoice, wrong_item, service, other.",
           synonyms=("投诉类别",)),
        _c("order_id", "string", False, "Order concerned, if any."),
        _c("resolved_date", "date", False, "Date closed; missing while open.",
           synonyms=("解决日期",)),
        _c("description", "string", False, "Free text (escaped in every report)."),
    ),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (ORDER_LINES, ORDER_CHANGES, CUSTOMERS, ITEMS, SUPPLY_PLAN, INVENTORY, FORECAST,
              COMPLAINTS)
}


def get_table(name: str | Table) -> Table:
    """Return the :class:`Table` called ``name`` (or ``name`` itself if it is one).

    Raises
    ------
    UnknownTableError
        ``name`` is not one of the data-model tables (:data:`TABLES`).

    Examples
    --------
    >>> get_table("items").key
    ('item_id',)
    """
    if isinstance(name, Table):
        return name
    if isinstance(name, str) and name in TABLES:
        return TABLES[name]
    raise UnknownTableError(
        f"unknown data-model table {name!r}",
        key="table",
        value=name,
        fix=f"use one of {', '.join(TABLES)}.",
    )


def data_model_markdown() -> str:
    """Render the data model as Markdown (the content of ``docs/data-model.md``)."""
    out = [
        "# Data model",
        "",
        "Generated from `workbench/io/schema.py` by `workbench docs`; do not edit by hand.",
        "",
        "All tables are long and tidy. Types: `string`, `int` (nullable integer), "
        "`float`, `date` (calendar date), `bool` (nullable flag). "
        "*Required* columns must be present and usable in every row, otherwise the row is "
        "quarantined; an unusable value in an *optional* column becomes missing and is "
        "recorded in the issues table. A column mapping can declare a required column "
        "optional for a source that lacks it in some rows (e.g. `order_date`).",
        "",
        "Every loaded, quarantined and issue row carries lineage: `source_file` and "
        "`source_row` (the row number a spreadsheet program shows, header = row 1; for SQL "
        "the 1-based position in the result).",
        "",
    ]
    for t in TABLES.values():
        out += [f"## `{t.name}`", "", t.description, ""]
        if t.key:
            out.append(f"Key: {', '.join(f'`{k}`' for k in t.key)} (duplicates are quarantined).")
        for a, b in t.date_order:
            out.append(f"Rule: `{b}` must not be before `{a}`.")
        for col, master in t.masters.items():
            out.append(f"Rule: `{col}` must exist in `{master}` when that master is given.")
        nonneg = [c.name for c in t.columns if c.nonnegative]
        if nonneg:
            out.append(f"Rule: {', '.join(f'`{c}`' for c in nonneg)} must not be negative.")
        out += ["", "| column | type | unit | required | description |", "|---|---|---|---|---|"]
        for c in t.columns:
            out.append(
                f"| `{c.name}` | {c.type} | {c.unit or '-'} | {'yes' if c.required else 'no'} | "
                f"{c.description} |"
            )
        out.append("")
    return "\n".join(out)
