"""Read models of the dispatcher's reports: technicians over a period, open defects by complex."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from app.core.types import Day, Input

MAX_REPORT_DAYS = 366  # a year at most: hours available are counted day by day
AGE_BUCKETS = ("0_3", "4_7", "8_14", "over_14")  # days since a defect was reported (company calendar)
PRIORITIES = (1, 2, 3, 4, 5)


class ReportPeriod(Input):
    """The company days a technicians report covers, both ends included."""

    model_config = ConfigDict(populate_by_name=True)
    date_from: Day = Field(alias="from")
    date_to: Day = Field(alias="to")


class TechnicianFigures(BaseModel):
    """One technician's period (or the team's, without an id): work done, on time, returns, load."""

    technician_id: int | None
    name: str
    is_active: bool = True
    done: int = Field(description="orders completed in the period")
    median_hours: Decimal | None = Field(description="median hours from an order's creation to done")
    on_time: int = Field(description="done orders completed on or before their due day")
    on_time_rate: Decimal | None = Field(description="percent of done orders completed on time")
    reopened: int = Field(description="done orders of this technician reopened during the period")
    booked_hours: Decimal = Field(description="scheduled hours of the non-cancelled orders within the period")
    available_hours: Decimal = Field(description="working hours of the period's days")
    utilisation: Decimal | None = Field(description="booked hours as a percent of available hours")


class TechnicianReport(BaseModel):
    """Every active technician (and any other with work in the period), and the team's total."""

    date_from: date
    date_to: date
    technicians: list[TechnicianFigures]
    total: TechnicianFigures


class DefectRow(BaseModel):
    """A complex's open defects (the total row has no id) by age and by priority."""

    complex_id: int | None
    complex: str
    by_age: dict[str, int] = Field(description="keys 0_3, 4_7, 8_14, over_14: days since reported")
    by_priority: dict[int, int] = Field(description="priority 1 (most urgent) to 5")
    total: int


class DefectReport(BaseModel):
    """Open defects (kind defect, neither done nor cancelled) of each complex as of today."""

    today: date
    complexes: list[DefectRow]
    total: DefectRow
