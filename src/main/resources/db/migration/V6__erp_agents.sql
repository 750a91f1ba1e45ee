-- ERP agents (../shared/ERP-AGENTS.md): the registry with heartbeats, the vendors' ERP code mappings, and the mirror of
-- what each agent pushed (items, warehouses, stock). Runs unchanged on H2 and PostgreSQL.

-- One row per vendor whose agent registered. The status an ops reader sees is computed from last_heartbeat_at and the
-- vendor's thresholds at read time, so every instance sharing the database agrees; status and status_since are the
-- last status recorded, which the sweep moves with a compare-and-set so each transition is audited once.
CREATE TABLE erp_agent (
    vendor               VARCHAR(63)              NOT NULL PRIMARY KEY,
    agent_url            VARCHAR(2000)            NOT NULL,
    erp_type             VARCHAR(64),
    version              VARCHAR(64),
    registered_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    last_heartbeat_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    agent_pending_orders INTEGER,
    status               VARCHAR(16)              NOT NULL,
    status_since         TIMESTAMP WITH TIME ZONE NOT NULL
);

-- (vendor, type, erpCode) -> (code, label, active), type one of unit, vat, family, subfamily.
CREATE TABLE erp_mapping (
    vendor     VARCHAR(63)              NOT NULL,
    type       VARCHAR(16)              NOT NULL,
    erp_code   VARCHAR(128)             NOT NULL,
    code       VARCHAR(128)             NOT NULL,
    label      VARCHAR(255),
    active     BOOLEAN                  NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (vendor, type, erp_code)
);

-- Bumped in the transaction of every import that changes a vendor's mappings: each batch compares it with its cached
-- copy (one primary-key read), so a change is seen by the next batch on every instance, not after a TTL.
CREATE TABLE erp_mapping_revision (
    vendor   VARCHAR(63) NOT NULL PRIMARY KEY,
    revision BIGINT      NOT NULL
);

-- The mirror. ERP codes are stored as received and resolved through the mappings when read, so a corrected mapping
-- shows at once without the agent sending its records again (their content hash would not change). content_hash is
-- the record's RFC 8785 hash without updatedAt; erp_updated_at its updatedAt. deleted: reconciliation found the
-- record gone at the agent.
CREATE TABLE erp_item (
    vendor               VARCHAR(63)              NOT NULL,
    erp_id               VARCHAR(128)             NOT NULL,
    sku                  VARCHAR(128)             NOT NULL,
    label                VARCHAR(500)             NOT NULL,
    unit                 VARCHAR(128)             NOT NULL,
    vat                  VARCHAR(128)             NOT NULL,
    family               VARCHAR(128),
    subfamily            VARCHAR(128),
    price_excl_vat       DECIMAL(19, 2)           NOT NULL,
    price_incl_vat       DECIMAL(19, 2)           NOT NULL,
    vat_amount           DECIMAL(19, 2)           NOT NULL,
    manage_stock         BOOLEAN                  NOT NULL,
    allow_negative_stock BOOLEAN                  NOT NULL,
    barcode              VARCHAR(128),
    content_hash         VARCHAR(64)              NOT NULL,
    erp_updated_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    deleted              BOOLEAN DEFAULT FALSE    NOT NULL,
    created_at           TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at           TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (vendor, erp_id)
);

CREATE TABLE erp_warehouse (
    vendor         VARCHAR(63)              NOT NULL,
    erp_id         VARCHAR(128)             NOT NULL,
    name           VARCHAR(500)             NOT NULL,
    is_default     BOOLEAN                  NOT NULL,
    is_main        BOOLEAN                  NOT NULL,
    type           SMALLINT                 NOT NULL,
    content_hash   VARCHAR(64)              NOT NULL,
    erp_updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
    deleted        BOOLEAN DEFAULT FALSE    NOT NULL,
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (vendor, erp_id)
);

CREATE TABLE erp_stock (
    vendor           VARCHAR(63)              NOT NULL,
    warehouse_erp_id VARCHAR(128)             NOT NULL,
    item_erp_id      VARCHAR(128)             NOT NULL,
    quantity         DECIMAL(19, 4)           NOT NULL,
    ordered_quantity DECIMAL(19, 4)           NOT NULL,
    pump             DECIMAL(19, 4)           NOT NULL,
    min_stock        DECIMAL(19, 4)           NOT NULL,
    max_stock        DECIMAL(19, 4),
    stock_value      DECIMAL(19, 2)           NOT NULL,
    content_hash     VARCHAR(64)              NOT NULL,
    erp_updated_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    deleted          BOOLEAN DEFAULT FALSE    NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (vendor, warehouse_erp_id, item_erp_id)
);
