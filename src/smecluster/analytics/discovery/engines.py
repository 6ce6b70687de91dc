"""Which engine runs the discovery queries: DuckDB in this process, a PostgreSQL database, or Spark.

The queries of :mod:`.queries` are Ibis expressions and run unchanged on each; only the connection and
the way the enterprise-year table is reached differ. An engine is named by a word or a URL:

================================ ======================================================================
``duckdb`` (the default)         DuckDB in this process, reading the file
``postgres``                     the PostgreSQL database of ``DATABASE_URL``
``postgres://user@host/db``      that PostgreSQL database
``spark``                        Spark in local mode in this process, on every core (``local[*]``)
``spark://local[2]``             Spark in local mode on 2 cores (what the parity test runs)
``spark://host:7077``            the Spark standalone cluster whose master listens there
``spark://yarn``                 the YARN cluster of ``HADOOP_CONF_DIR`` / ``YARN_CONF_DIR``
``spark://k8s://https://api:443``  Spark on Kubernetes (executors as pods; image and namespace from
                                 ``spark-defaults.conf``)
================================ ======================================================================

Spark's own settings (executor memory, cores, the Hive metastore, S3 credentials) come from
``$SPARK_CONF_DIR/spark-defaults.conf`` as for any Spark application; only the few settings that make a
small local session quick are set here, and only in local mode.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

import ibis

from smecluster.errors import UnusableInput

EngineKind = Literal["duckdb", "postgres", "spark"]

SPARK_LOCAL_SETTINGS = {
    # Spark's default of 200 shuffle partitions is sized for a cluster: on one machine each partition is a
    # task with its own start-up cost, and county × division cells are ~10^5 rows, so a few suffice.
    "spark.sql.shuffle.partitions": "4",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",  # the progress bars would interleave with the command's output
    "spark.sql.session.timeZone": "UTC",
}


@dataclass(frozen=True)
class Engine:
    """A parsed engine name: its kind and where it is (a PostgreSQL URL, a Spark master)."""

    kind: EngineKind
    location: str = ""

    @property
    def spark_is_local(self) -> bool:
        return self.kind == "spark" and self.location.startswith("local")


def parse_engine(name: str | None) -> Engine:
    """``name`` (a word or a URL, see the module) as an :class:`Engine`; ``None`` is DuckDB."""
    text = (name or "duckdb").strip()
    if text == "duckdb":
        return Engine("duckdb")
    if text in ("postgres", "postgresql"):
        return Engine("postgres", os.environ.get("DATABASE_URL", ""))
    if text.startswith(("postgres://", "postgresql://")):
        return Engine("postgres", text)
    if text == "spark":
        return Engine("spark", "local[*]")
    if text.startswith("spark://"):
        master = text.removeprefix("spark://")
        if not master:
            raise UnusableInput.single("--engine", "", f"{text}: give a master after spark://")
        # local[N], yarn and k8s://... are Spark's own master names; anything else is a standalone master.
        if master.startswith(("local", "k8s://")) or master == "yarn":
            return Engine("spark", master)
        return Engine("spark", text)
    raise UnusableInput.single(
        "--engine", "", f"{text}: expected duckdb, postgres, spark, a postgres:// URL or a spark:// master"
    )


def connect_spark(master: str, *, app_name: str = "smecluster-discover") -> ibis.BaseBackend:
    """An Ibis connection on a Spark session with ``master`` (``local[2]``, ``spark://host:7077``,
    ``yarn``); the session is the process's one session, created on first use."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as error:
        raise UnusableInput.single(
            "--engine", "", "Spark needs PySpark: pip install -e '.[spark]' (and a Java 17 runtime)"
        ) from error
    builder = SparkSession.builder.master(master).appName(app_name)
    if master.startswith("local"):
        for key, value in SPARK_LOCAL_SETTINGS.items():
            builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as error:  # no Java, or the master cannot be reached: Spark's message says which
        raise UnusableInput.single("--engine", "", f"cannot start Spark ({master}): {error}") from error
    session.sparkContext.setLogLevel("ERROR")
    return ibis.pyspark.connect(session)
