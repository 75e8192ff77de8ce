"""The fixed parts of the demo organisation: its locations and its departments.

Locations carry an IANA time zone, the languages spoken there besides English and the
region most local names come from (see ``names.py``). Departments sit in divisions; each has
a weight (its share of the headcount), the title of its managers and the roles of its
individual contributors.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    name: str
    time_zone: str
    name_region: str
    weight: int
    # Languages besides English, each with the share of local people who speak it.
    languages: tuple[tuple[str, float], ...]


LOCATIONS: tuple[Location, ...] = (
    Location("London", "Europe/London", "anglophone", 16, (("fr", 0.08), ("hi", 0.04))),
    Location("New York", "America/New_York", "anglophone", 13, (("es", 0.15), ("zh", 0.04))),
    Location("Toronto", "America/Toronto", "anglophone", 7, (("fr", 0.25), ("pa", 0.05))),
    Location("Berlin", "Europe/Berlin", "germanic", 9, (("de", 0.9), ("tr", 0.06))),
    Location("Warsaw", "Europe/Warsaw", "polish", 5, (("pl", 0.95), ("de", 0.1))),
    Location("São Paulo", "America/Sao_Paulo", "lusophone", 7, (("pt-BR", 0.95), ("es", 0.2))),
    Location("Mexico City", "America/Mexico_City", "hispanic", 5, (("es", 0.95),)),
    Location("Bangalore", "Asia/Kolkata", "indian", 14, (("hi", 0.6), ("kn", 0.4), ("ta", 0.15))),
    Location("Singapore", "Asia/Singapore", "southeast_asian", 8, (("zh", 0.5), ("ms", 0.25))),
    Location("Tokyo", "Asia/Tokyo", "japanese", 4, (("ja", 0.95),)),
    Location("Sydney", "Australia/Sydney", "anglophone", 6, (("zh", 0.06), ("vi", 0.04))),
    Location("Nairobi", "Africa/Nairobi", "east_african", 4, (("sw", 0.9),)),
)
HEADQUARTERS = LOCATIONS[0]


@dataclass(frozen=True)
class DepartmentPlan:
    name: str
    code: str
    weight: float
    manager_title: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class DivisionPlan:
    name: str
    code: str
    executive_title: str
    departments: tuple[DepartmentPlan, ...]

    @property
    def weight(self) -> float:
        return sum(department.weight for department in self.departments)


OFFICE_OF_THE_CEO = DepartmentPlan(
    "Office of the CEO", "CEO", 0, "Chief of Staff", ("Executive Assistant to the CEO",)
)

DIVISIONS: tuple[DivisionPlan, ...] = (
    DivisionPlan(
        "Technology",
        "TECH",
        "Chief Technology Officer",
        (
            DepartmentPlan(
                "Engineering",
                "ENG",
                30,
                "Engineering Manager",
                (
                    "Software Engineer",
                    "Site Reliability Engineer",
                    "Quality Engineer",
                    "Security Engineer",
                ),
            ),
            DepartmentPlan(
                "Research & Development",
                "RND",
                6,
                "Research Manager",
                ("Research Scientist", "Research Engineer"),
            ),
            DepartmentPlan(
                "Data & Analytics",
                "DATA",
                5,
                "Analytics Manager",
                ("Data Analyst", "Data Engineer", "Data Scientist"),
            ),
            DepartmentPlan(
                "IT Services",
                "IT",
                4,
                "IT Manager",
                ("IT Support Specialist", "Systems Administrator", "Network Engineer"),
            ),
        ),
    ),
    DivisionPlan(
        "Product",
        "PROD",
        "Chief Product Officer",
        (
            DepartmentPlan(
                "Product Management",
                "PM",
                6,
                "Group Product Manager",
                ("Product Manager", "Product Owner"),
            ),
            DepartmentPlan(
                "Design",
                "DES",
                4,
                "Design Manager",
                ("Product Designer", "UX Researcher", "Content Designer"),
            ),
        ),
    ),
    DivisionPlan(
        "Commercial",
        "COM",
        "Chief Commercial Officer",
        (
            DepartmentPlan(
                "Sales",
                "SALES",
                16,
                "Sales Manager",
                ("Account Executive", "Sales Development Representative", "Solutions Consultant"),
            ),
            DepartmentPlan(
                "Marketing",
                "MKT",
                6,
                "Marketing Manager",
                ("Marketing Specialist", "Content Strategist", "Growth Marketer"),
            ),
            DepartmentPlan(
                "Customer Success",
                "CS",
                10,
                "Customer Success Manager",
                ("Customer Success Specialist", "Support Engineer", "Implementation Consultant"),
            ),
        ),
    ),
    DivisionPlan(
        "Operations",
        "OPS",
        "Chief Operating Officer",
        (
            DepartmentPlan(
                "Business Operations",
                "BIZOPS",
                4,
                "Operations Manager",
                ("Operations Analyst", "Programme Coordinator"),
            ),
            DepartmentPlan(
                "Supply Chain",
                "SCM",
                5,
                "Supply Chain Manager",
                ("Supply Chain Analyst", "Logistics Coordinator", "Buyer"),
            ),
            DepartmentPlan(
                "Workplace & Facilities",
                "FAC",
                2,
                "Facilities Manager",
                ("Facilities Coordinator", "Workplace Specialist"),
            ),
        ),
    ),
    DivisionPlan(
        "Finance & Legal",
        "FINLEGAL",
        "Chief Financial Officer",
        (
            DepartmentPlan(
                "Finance",
                "FIN",
                5,
                "Finance Manager",
                ("Financial Analyst", "Accountant", "Payroll Specialist"),
            ),
            DepartmentPlan(
                "Legal", "LEGAL", 2, "Legal Manager", ("Counsel", "Paralegal", "Compliance Analyst")
            ),
            DepartmentPlan(
                "Procurement",
                "PROC",
                1.5,
                "Procurement Manager",
                ("Procurement Specialist", "Category Analyst"),
            ),
        ),
    ),
    DivisionPlan(
        "People & Culture",
        "PEOPLE",
        "Chief People Officer",
        (
            DepartmentPlan(
                "People Partnering",
                "HRBP",
                2,
                "People Partnering Manager",
                ("People Partner", "HR Advisor"),
            ),
            DepartmentPlan(
                "Talent Acquisition",
                "TA",
                2,
                "Talent Acquisition Manager",
                ("Recruiter", "Sourcer", "Recruiting Coordinator"),
            ),
            DepartmentPlan(
                "Learning & Development",
                "LD",
                1.5,
                "Learning & Development Manager",
                ("Learning Designer", "Leadership Development Specialist", "Facilitator"),
            ),
            DepartmentPlan(
                "Total Rewards",
                "REWARDS",
                1,
                "Rewards Manager",
                ("Compensation Analyst", "Benefits Specialist"),
            ),
        ),
    ),
)
