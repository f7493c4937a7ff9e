"""Multilingual word lists that let code read what the model must not be trusted with (pure).

Each list holds lower-case word stems (matched at the start of a word, case-insensitively)
for the languages the tool is tested on: en, ru, uk, de, fr, es, pt, it, pl, tr, ar. They
decide which sentences are worth showing to the model (relevance), and read a figure's
qualifier and category and a "per side" figure from the words next to it. A stem list is
deliberately generous: the model and the checks after it decide; a missing word here loses
an event or a figure, so add words when a real article shows one missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

#: A living-prisoner swap (the people, the act, captivity).
EXCHANGE = (
    # en
    "exchang", "swap", "prisoner", "pow", "captiv", "freed", "released", "release",
    "brought home", "bring home", "came home", "come home", "returned", "homecoming",
    "handed over", "hand over", "repatriat",
    # ru
    "обмен", "обменя", "военнопленн", "пленн", "плен", "вернул", "вернули", "возвращ",
    "освобожд", "освобод", "передал", "передан", "передач",
    # uk
    "обмін", "обміня", "військовополонен", "полонен", "полон", "повернул", "повернен",
    "повернут", "поверта", "звільн", "передал", "передан", "передач",
    # de
    "gefangenenaustausch", "austausch", "ausgetauscht", "tausch", "kriegsgefangen",
    "gefangen", "freigelassen", "freigekommen", "zurückgekehrt", "heimgekehrt", "heimgeholt",
    "übergeben", "übergab", "überstellt", "rückkehr", "zurückgebracht",
    # fr
    "échang", "prisonni", "libéré", "libération", "rapatri", "captivité", "remis",
    # es
    "intercambi", "canje", "canjea", "prisioner", "liberad", "liberación", "cautiverio",
    "regresaron", "devuelt", "entregad", "entregaron", "vuelven a casa", "volvieron",
    # pt
    "troca", "trocaram", "prisioneir", "libert", "cativeiro", "regressaram", "entreg",
    # it
    "scambi", "prigionier", "liberat", "rimpatri", "prigionia", "rientrat",
    # pl
    "wymian", "wymieni", "jeńc", "jeniec", "niewol", "uwolni", "powrócił", "powrócili",
    "wrócił", "wrócili", "przekaza", "odzyska",
    # tr
    "takas", "esir", "serbest bırak", "iade", "değişim", "mübadele", "karşılığ", "teslim",
    # ar
    "تبادل", "أسرى", "الأسرى", "أسير", "الإفراج", "أفرج", "إطلاق سراح", "عودة", "عاد", "تسلم",
    "تسلّم", "سلّم", "سلم",
)  # fmt: skip

#: Words that say prisoners were swapped or came back (not merely named, interviewed or held).
SWAPPED = (
    "exchang", "swap", "brought home", "bring home", "came home", "returned", "freed",
    "released", "handed over", "repatriated",
    "обмен", "обменя", "вернул", "возвращен", "освобожден", "передал",
    "обмін", "обміня", "повернул", "повернен", "повернут", "поверта", "звільнен", "передал",
    "austausch", "ausgetauscht", "tausch", "freigelassen", "freigekommen", "heimgekehrt",
    "zurückgekehrt", "übergeben", "übergab",
    "échang", "libéré", "rapatrié", "remis",
    "intercambi", "canje", "canjea", "liberad", "regresaron", "entregad", "entregaron",
    "return of", "release of", "возвращени", "освобождени", "повернення", "звільнення",
    "rückkehr", "freilassung", "retour de", "libération de", "regreso de", "retorno de",
    "liberación de", "regresso de", "libertação", "ritorno di", "rilascio di", "powrót",
    "uwolnienie", "dönüş", "serbest bırakılma",
    "volvieron a casa", "vuelven a casa", "devuelt", "transferid", "volvieron", "regresan",
    "devolvid", "restituit", "trasferit", "zurückgegeben", "rendus", "transférés", "عودة",
    "تسليم", "نقل",
    "troca", "trocaram", "libertad", "libertou", "regressaram",
    "scambi", "liberat", "rimpatriat", "rientrat", "tornat",
    "wymian", "wymieni", "uwolni", "powróci", "wróci", "przekaza", "odzyska", "kehrten heim",
    "kehrte heim", "kehren heim",
    "takas", "serbest bırak", "iade", "değişim", "teslim",
    "تبادل", "الإفراج", "أفرج", "إطلاق سراح", "عاد", "تسلم", "تسلّم",
    "got back", "received", "were returned", "transferred", "передано", "получила", "получили",
    "отримала", "отримали", "повернула", "повернув", "libération", "libéré", "takas etmiş",
    "takası", "geri getiril", "recibió", "recebeu", "ricevuto", "otrzymała", "erhielt",
)  # fmt: skip

#: Words that put an event in the future or in doubt (expected, planned, possible).
UNCERTAIN = (
    "will", "would", "could", "might", "plans", "planned", "expected", "expects", "set to",
    "to be held", "next round", "upcoming", "proposed", "ready to", "hopes", "possible",
    "будет", "будут", "планир", "ожида", "может", "возможн", "следующ", "готов", "предлож",
    "намерен", "буде", "будуть", "планує", "очікує", "може", "можлив", "наступн", "пропону",
    "wird", "werden", "soll", "sollen", "könnte", "geplant", "erwartet", "nächste", "kommende",
    "bereit", "vorgeschlagen", "sera", "seront", "pourrait", "prévu", "attendu", "prochain",
    "será", "serán", "podría", "previst", "próxim", "dispuest", "propuest", "poderá",
    "sarà", "potrebbe", "prossim", "propost", "będzie", "mógłby", "planowan", "następn",
    "olacak", "yapılacak", "planlanan", "bekleniyor", "önümüzdeki", "سوف", "ستعقد", "المقبلة",
    # not known yet ("Ob es eine vierte Runde gibt, ist offen")
    "is unclear", "remains unclear", "not yet known", "ist offen", "bleibt offen", "unklar",
    "неясно", "пока неизвестно", "невідомо", "reste incertain", "n'est pas encore connu",
    "no está claro", "não está claro", "non è chiaro", "nie wiadomo", "belli değil",
    "غير واضح",
)  # fmt: skip

#: Words of a handover intended or decided, not done: "want to swap", "zu übergeben".
INTENDED = (
    "want to", "wants to", "intend", "wollen", "zu übergeben", "auszutauschen",
    "zurückzugeben", "freizulassen", "kararlaştır", "хотят", "хочуть", "veulent", "quieren",
    "querem", "vogliono", "chcą",
    # a handover in the future tense ("стороны передадут по 6 тыс.", "teslim edeceğini")
    "передадут", "передаст", "обменяются", "вернут", "освободят", "передадуть", "передасть",
    "обміняються", "повернуть", "звільнять", "übergeben werden", "échangeront", "remettront",
    "restitueront", "rendront", "libéreront", "intercambiarán", "entregarán", "devolverán",
    "liberarán", "trocarão", "entregarão", "devolverão", "scambieranno", "consegneranno",
    "restituiranno", "wymienią", "przekażą", "oddadzą", "uwolnią", "teslim edeceğ",
    "teslim edecek", "takas edeceğ", "takas edecek", "iade edeceğ", "iade edecek",
    "serbest bırakacak", "edilecek", "ستسلم", "سيتم تبادل", "ستتبادل",
)  # fmt: skip

#: The bodies of the dead handed over: specific enough to make a sentence relevant.
BODIES = (
    "bodies", "body of", "remains", "repatriation of the", "dead soldiers",
    "тел", "тела", "останк",
    "тіл", "тіла", "останк",
    "leichen", "leichname", "sterbliche überreste",
    "corps", "dépouilles",
    "cuerpos", "restos", "cadáveres",
    "corpos", "restos mortais",
    "corpi", "salme", "resti",
    "ciał", "ciała", "zwłok",
    "cenaze", "ceset", "cesed", "naaş",
    "جثث", "جثامين", "رفات", "جثة",
)  # fmt: skip

#: Words beside a figure that make it a count of bodies ("501 fallen soldiers").
BODY_COUNT_WORDS = (
    *BODIES,
    "fallen", "killed", "погибш", "убит", "загибл", "полеглих", "вбит",
    "gefallen", "getötet", "toten", "tués", "morts", "caídos", "muertos", "mortos", "caduti",
    "morti", "poległ", "zabit", "şehit", "ölü", "قتلى", "شهداء",
)  # fmt: skip

#: A meeting of negotiators.
TALKS = (
    "talks", "negotiat", "round of", "round", "delegation", "negotiators", "met in", "meeting",
    "переговор", "раунд", "делегаци", "встреч",
    "переговор", "раунд", "делегаці", "зустріч",
    "gespräch", "verhandl", "runde", "delegation", "treffen",
    "pourparlers", "négociation", "cycle de", "délégation", "rencontre", "réunion",
    "conversaciones", "negociacion", "ronda", "delegación", "reunión",
    "negociaç", "conversaç", "rodada", "delegação", "reunião",
    "colloqui", "negoziat", "delegazion", "incontro",
    "rozmow", "rozmów", "negocjac", "runda", "rundzie", "rundy", "rundę", "delegacj",
    "spotkani",
    "görüşme", "müzakere", "turu", "turda", "turunda", "heyet",
    "محادثات", "مفاوضات", "جولة", "الجولة", "وفد",
)  # fmt: skip

#: A deal reached.
AGREEMENT = (
    "agreed", "agreement", "deal", "accord$", "accords$", "memorandum", "pledged", "promised",
    "договорил", "договорённост", "договоренност", "соглашени", "согласовал", "условились",
    "пообещал", "обещал", "пообіцял",
    "домовил", "домовленіст", "домовленост", "угод", "погодил",
    "vereinbar", "abkommen", "einigten", "einigung", "verständigt", "sagte zu", "zugesagt",
    "convenu", "entendus", "s'accord", "se sont accordés",
    "acuerdo", "acordaron", "pactaron", "pacto", "prometió",
    "acordo", "acordaram",
    "accordo", "concordat", "intesa",
    "porozumieni", "uzgodni", "umow", "zgodzi",
    "anlaşma", "anlaştı", "mutabakat", "uzlaş",
    "اتفاق", "اتفقا", "اتفق", "الاتفاق",
    # a swap that was what talks produced: "the only concrete result of talks in Istanbul"
    "result of talks", "result of the talks", "outcome of talks", "outcome of the talks",
    "résultat tangible", "seul résultat", "einziges ergebnis", "einzige ergebnis",
    "único resultado", "unico risultato", "единственным результатом",
    "единственный результат", "єдиним результатом", "єдиний результат",
    "jedynym rezultatem", "jedyny rezultat", "tek somut sonuç", "tek sonuç",
    "concrete result", "tangible result", "конкретным результатом", "ощутимым результатом",
    "конкретним результатом", "відчутним результатом", "konkretnym rezultatem",
    "konkreten ergebnis", "konkretes ergebnis", "résultat concret", "resultado concreto",
    "risultato concreto", "somut sonuç",
    # a swap the sides committed to ("comprometeram-se a trocar mais 1.200")
    "committed to", "commit to", "обязались", "обязалась", "зобов'язал", "зобовʼязал",
    "verpflichtet", "se sont engagés", "s'est engagé", "s'engagent", "se comprometieron",
    "se comprometió", "comprometeram-se", "se comprometeram", "comprometeu-se",
    "si sono impegnat", "si è impegnat", "zobowiązał", "zobowiązały", "taahhüt",
    "تعهد", "تعهدت", "تعهدا",
)  # fmt: skip

#: Words that introduce another, earlier event of the kind ("The previous exchange ...").
PREVIOUS = (
    # not "last" ("минулої п'ятниці", "last Friday"): that dates the event told
    "previous", "prior", "preceding", "предыдущ", "попередн", "vorherig", "précédent",
    "anterior", "precedente", "poprzedni", "önceki", "السابق",
)  # fmt: skip

#: Words opening a sentence that adds to what was just told ("Separately, 31 were freed").
ADDITIONALLY = (
    "separately", "in addition", "additionally", "besides", "apart from", "also", "on top of",
    "отдельно", "кроме того", "помимо", "также", "ещё", "еще",
    "окремо", "крім того", "окрім того", "також", "ще",
    "außerdem", "zusätzlich", "darüber hinaus", "daneben", "ferner",
    "en outre", "de plus", "par ailleurs", "en plus", "séparément",
    "además", "aparte", "por separado", "asimismo", "adicionalmente",
    "além disso", "separadamente", "também",
    "inoltre", "separatamente", "a parte", "in aggiunta",
    "dodatkowo", "ponadto", "oprócz tego", "osobno",
    "ayrıca", "bunun yanı sıra", "ek olarak",
    "إضافة إلى", "بالإضافة إلى", "كما",
    # the other side's part of it: "Russia, in turn, received 246"
    "in turn", "in return", "for its part", "в свою очередь", "взамен", "в ответ",
    "своєю чергою", "натомість", "у відповідь", "seinerseits", "im gegenzug", "à son tour",
    "en retour", "de son côté", "en échange", "por su parte", "a cambio", "por sua vez",
    "em troca", "a sua volta", "in cambio", "z kolei", "w zamian", "karşılığında",
    "buna karşılık", "في المقابل",
)  # fmt: skip

#: Words that make a figure a running total rather than one event's.
RUNNING_TOTAL = (
    "in three stages", "in two stages", "over three days", "over two days", "in three days",
    "в три этапа", "в два этапа", "за три дня", "в три етапи", "у три етапи", "за три дні",
    "binnen drei tagen", "in drei etappen", "an drei tagen", "en trois étapes", "en trois jours",
    "en tres etapas", "en tres días", "em três etapas", "em três dias", "in tre fasi",
    "in tre giorni", "w trzech etapach", "w ciągu trzech dni", "üç aşamada", "üç günde",
    "على ثلاث مراحل", "خلال ثلاثة أيام",
    # the same once numbers in words are digits
    "in 3 stages", "in 2 stages", "over 3 days", "in 3 days", "в 3 этапа", "в 2 этапа",
    "за 3 дня", "в 3 етапи", "у 3 етапи", "за 3 дні", "binnen 3 tagen", "in 3 etappen",
    "an 3 tagen", "en 3 étapes", "en 3 jours", "en 3 etapas", "en 3 días", "em 3 etapas",
    "em 3 dias", "in 3 fasi", "in 3 giorni", "w 3 etapach", "w ciągu 3 dni", "3 aşamada",
    "3 günde",
    "in total", "in all", "a total of", "so far", "to date", "altogether", "since", "overall",
    "as of",
    "всего", "в общей сложности", "с начала", "итого", "за все время", "за всё время",
    "по состоянию на",
    "загалом", "всього", "усього", "з початку", "за весь час", "станом на",
    "insgesamt", "bislang", "bisher", "seit$",
    "au total", "depuis", "jusqu'à présent", "en tout",
    "en total", "desde", "hasta ahora", "hasta la fecha",
    "no total", "desde", "até agora", "ao todo",
    "in totale", "finora", "dall'inizio", "in tutto",
    "łącznie", "w sumie", "od początku", "dotychczas", "do tej pory",
    "toplam", "şimdiye kadar", "başından beri", "bugüne kadar",
    "إجمالي", "في المجموع", "منذ", "حتى الآن",
)  # fmt: skip

CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "bodies": BODY_COUNT_WORDS,
    "civilians": (
        "civilian", "мирн", "гражданск", "цивільн", "zivil", "civil", "civiles", "civis",
        "civili", "cywil", "sivil", "مدني",
    ),
    "servicemen": (
        "servicem", "service members", "soldier", "military", "troops", "pows", "pow ",
        "prisoners of war", "defender", "fighter", "marines", "combatant", "troop",
        "военнослужащ", "военных", "военнопленн", "солдат", "бойц", "защитник", "военн",
        "військов", "військовослужбов", "військовополонен", "захисник", "бійц", "воїн",
        "солдат", "оборонц",
        "soldat", "kriegsgefangen", "militär", "armeeangehörig", "kämpfer",
        "soldats", "militaires", "prisonniers de guerre", "combattants",
        "soldados", "militares", "prisioneros de guerra", "combatientes",
        "prisioneiros de guerra", "militares",
        "soldati", "militari", "prigionieri di guerra", "combattenti",
        "żołnierz", "wojskow", "jeńców wojennych", "jeńcy wojenni", "obrońc",
        "asker", "savaş esir",
        "جندي", "جنود", "عسكري", "أسير حرب", "أسرى حرب", "العسكريين",
        # "277 de nuestros guerreros"
        "warriors", "guerrer", "guerrier", "krieger", "воин", "wojownik",
    ),
    "people": (
        "people", "person", "individual", "prisoner", "captive", "citizen", "ukrainians",
        "russians", "detainee", "hostage",
        "человек", "пленн", "граждан", "лиц", "заложник",
        "людей", "осіб", "особи", "полонен", "громадян", "заручник",
        "mensch", "person", "gefangene", "bürger",
        "personnes", "détenus", "otages", "prisonni",
        "personas", "detenidos", "rehenes", "prisioner",
        "pessoas", "detidos", "reféns", "prisioneir",
        "persone", "detenuti", "ostaggi", "prigionier",
        "osób", "osoby", "ludzi", "więźni", "zakładnik", "jeńc", "jeniec", "obywatel",
        "citoyens", "ciudadanos", "cidadãos", "cittadini", "مواطن",
        "kişi", "vatandaş", "rehine", "esir",
        "شخص", "أشخاص", "محتجز", "رهائن", "أسير", "أسرى",
        # the people of a side by their nationality ("230 ucranianos volvieron")
        "украинц", "россиян", "українц", "росіян", "ukrainer$", "russen$", "ukrainiens$",
        "russes$", "ucranianos$", "rusos$", "russos$", "ucraini$", "russi$", "ukraińc", "rosjan",
        "أوكرانيين", "الأوكرانيين", "روس$",
    ),
}  # fmt: skip

#: Qualifiers read from the words just before a figure (or, in Turkish, just after it).
QUALIFIER_WORDS: dict[str, tuple[str, ...]] = {
    "about": (
        "about", "around", "approximately", "roughly", "some", "circa", "close to",
        "an estimated",
        "около", "примерно", "порядка", "приблизительно",
        "близько", "приблизно", "орієнтовно",
        "etwa", "rund", "ungefähr", "circa", "ca.", "annähernd",
        "environ", "près de", "quelque", "quelques", "approximativement",
        "unos", "unas", "alrededor de", "aproximadamente", "cerca de",
        "cerca de", "aproximadamente", "uns", "umas",
        "circa", "all'incirca", "intorno a", "approssimativamente",
        "około", "blisko", "mniej więcej", "ok.",
        "yaklaşık", "civarında", "kadar",
        "حوالي", "نحو", "قرابة", "ما يقرب من", "تقريبا",
    ),
    "over": (
        "over", "more than", "upwards of", "in excess of", "above",
        "более", "больше", "свыше", "более чем",
        "понад", "більше", "більш як", "більш ніж", "понад як",
        "mehr als", "über",
        "plus de", "au-delà de",
        "más de",
        "mais de",
        "oltre", "più di",
        "ponad", "więcej niż", "przeszło",
        "fazla", "aşkın", "üzerinde",
        "أكثر من", "ما يزيد على", "ما يزيد عن",
    ),
    "up_to": (
        "up to",
        "до",
        "bis zu",
        "jusqu'à",
        "hasta",
        "até",
        "fino a",
        "do",
        "kadar",
        "ما يصل إلى", "حتى",
    ),
    "at_least": (
        "at least", "no fewer than", "not less than", "a minimum of",
        "не менее", "по меньшей мере", "как минимум", "минимум",
        "щонайменше", "не менше", "принаймні", "мінімум",
        "mindestens", "wenigstens",
        "au moins", "pas moins de",
        "al menos", "por lo menos", "no menos de",
        "pelo menos", "no mínimo",
        "almeno", "non meno di",
        "co najmniej", "przynajmniej", "nie mniej niż",
        "en az", "en azından",
        "على الأقل", "لا يقل عن",
    ),
    # "nearly N": just under N.
    "under": (
        "fewer than", "less than", "under", "below", "nearly", "almost", "just under",
        "менее", "меньше", "почти", "без малого",
        "менше", "менш як", "менш ніж", "майже", "без малого",
        "weniger als", "unter", "knapp", "fast", "beinahe",
        "moins de", "presque",
        "menos de", "casi",
        "menos de", "quase",
        "meno di", "quasi",
        "mniej niż", "poniżej", "prawie", "niemal",
        "az",
        "أقل من",
    ),
}  # fmt: skip

#: Phrases anywhere in a figure's clause that make it "each side's": "each side handed over 84".
EACH_SIDE_WORDS = (
    "each side", "per side", "each of the sides", "each country", "both sides handed over",
    "каждая сторона", "с каждой стороны", "каждой из сторон", "каждая из сторон",
    "кожна сторона", "з кожного боку", "кожна зі сторін", "з кожної сторони",
    "jede seite", "beide seiten je", "pro seite", "jeweils",
    "chaque camp", "de chaque côté", "chaque partie", "chacun des deux camps",
    "cada parte", "cada lado", "por cada lado", "cada bando", "ambas partes entregaron",
    "cada um dos lados", "cada uma das partes",
    "ciascuna parte", "per parte", "ognuna delle parti", "entrambe le parti hanno consegnato",
    "każda ze stron", "każda strona", "z każdej strony", "obie strony przekazały po",
    "her iki taraf", "karşılıklı olarak", "كل طرف", "كل جانب", "من كل جانب", "لكل جانب",
    "لكل طرف",
)  # fmt: skip

#: Words right before a figure that make it each side's: "по 84", "je 84", "each 84".
EACH_SIDE_BEFORE = ("по", "po", "je", "jeweils", "each", "chacun", "cada uno", "ciascuno")

#: Words that tell a swap or handover as done (not agreed, planned or expected).
COMPLETED = (
    "exchanged", "swapped", "freed", "released", "returned", "handed over", "brought home",
    "got back", "received", "handed back", "recovered", "transferred", "has transferred",
    "came home", "took place", "was held", "were held", "carried out", "completed",
    "обменялись", "вернулись", "возвращены", "вернули", "передали", "передан", "освобождены",
    "состоялся", "состоялись", "прошёл", "прошел", "прошли", "провели",
    "обмінялися", "повернулися", "повернуто", "повернули", "передали", "відбувся", "відбулися",
    "звільнено", "провели",
    "tauschten", "ausgetauscht", "freigelassen", "übergaben", "übergeben", "kamen frei",
    "fand statt", "fanden statt", "zurückgekehrt",
    "ont échangé", "ont été libérés", "a eu lieu", "ont eu lieu", "ont remis", "a remis",
    "a restitué", "ont libéré", "libérés",
    "intercambiaron", "canjearon", "liberados", "se realizó", "tuvo lugar", "llevaron a cabo",
    "entregaron", "regresaron",
    "trocaram", "libertados", "ocorreu", "realizaram", "entregou", "voltaram",
    "si è svolto", "scambiato", "liberati", "sono tornati", "hanno scambiato", "rilasciati",
    "wymieniły", "wymienili", "przekazały", "uwolniono", "odbyła się", "wrócili",
    "takas etti", "gerçekleştirdi", "serbest bırakıldı", "teslim etti", "döndü",
    "تم تبادل", "أفرج", "أطلق", "جرى", "تبادلت",
    # a handover confirmed ("confirmed the repatriation but spoke only of ...")
    "confirmed the repatriation", "confirmed the exchange", "confirmed the swap",
    "confirmed the handover", "confirmed the return", "подтвердил обмен", "подтвердили обмен",
    "підтвердив обмін", "підтвердили обмін", "bestätigte den austausch", "a confirmé l'échange",
    "confirmó el canje", "confirmó el intercambio", "confirmou a troca", "ha confermato lo scambio",
    "potwierdził wymianę", "potwierdziło przeprowadzenie wymiany", "takası doğruladı",
    # received or got back, in the perfect and the passive
    "обменяли", "получила", "получили", "вернула", "передала", "возвращено", "переданы",
    "отримала", "отримали", "повернула", "передала", "обміняли", "передано", "повернуто",
    "erhielt", "erhielten", "zurückerhalten", "überstellt", "a récupéré", "ont récupéré",
    "a reçu", "ont reçu", "ont été remis", "ont été remises", "ont été rendus", "a rendu",
    "ont été échangés", "ont été rapatriés", "recuperó", "recibió", "recibieron", "devolvió",
    "fueron entregados", "se intercambiaron", "recuperou", "recebeu", "receberam", "devolveu",
    "foram libertados", "foram entregues", "ha recuperato", "ha ricevuto", "hanno ricevuto",
    "ha restituito", "sono stati restituiti", "sono stati liberati", "odzyskała",
    "odzyskali", "otrzymała", "otrzymali", "przekazała", "wymieniono", "wyszło na wolność",
    "wyszli na wolność", "teslim aldı", "teslim edildi", "iade edildi", "takas edildi",
    "gerçekleştirildi", "geri döndü", "تسلمت", "سلمت", "استعادت", "عادوا",
)  # fmt: skip

#: Nationality words right after a figure: "248 Russian servicemen" were received by Russia.
NATIONALITY: dict[str, tuple[str, ...]] = {
    "russia": (
        "russian", "россий", "русск", "россиян", "російськ", "росіян", "russisch", "russe",
        "ruso", "rusos", "russo", "russi", "rosyjsk", "rus$", "روسي$", "الروس$",
    ),
    "ukraine": (
        "ukrainian", "украинск", "украинц", "українськ", "українц", "ukrainisch", "ukrainer",
        "ukrainien", "ucranian", "ucraini", "ukraińsk", "ukraiń", "ukraynalı", "ukrayna$",
        "أوكراني",
    ),
}  # fmt: skip

#: Mediation words; a canonical mediator named near one of them mediated.
MEDIATION = (
    "mediat", "brokered", "facilitated", "with the help of", "thanks to the efforts",
    "with the assistance", "hosted",
    "посредни", "при содействии", "благодаря усилиям", "при участии",
    "посередни", "за сприяння", "завдяки зусиллям", "за участі",
    "vermittl", "vermittelt", "mithilfe", "dank der",
    "médiation", "médiateur", "grâce à", "sous l'égide",
    "mediación", "mediador", "gracias a", "con la ayuda",
    "mediação", "mediador", "graças a",
    "mediazione", "mediatore", "grazie a",
    "mediacj", "pośrednictw", "dzięki",
    "arabulucu", "aracılığ", "ev sahipliği",
    "وساطة", "بوساطة", "بفضل", "جهود",
)  # fmt: skip

#: Sentences that address a model or the reader with instructions: data, never evidence.
INSTRUCTION_PATTERNS = (
    r"\bignore\s+(?:all\s+|any\s+|the\s+)?(?:previous|prior|above|earlier|preceding)\b",
    r"\bdisregard\s+(?:all\s+|any\s+|the\s+)?(?:previous|prior|above|earlier|instructions)\b",
    r"\b(?:new|updated|system)\s+(?:instructions?|prompt)\b",
    r"\byou\s+are\s+(?:now\s+)?(?:an?\s+)?(?:ai|assistant|language\s+model|chatgpt|llm)\b",
    r"\bas\s+an?\s+(?:ai|language\s+model)\b",
    r"\b(?:assistant|model|llm|ai)\s*[,:]\s*(?:report|output|answer|say|respond|return)\b",
    r"\b(?:report|output|answer|respond|return)\s+(?:that\s+)?(?:with\s+)?\d[\d,. ]*\s+"
    r"(?:prisoners|people|bodies|soldiers)\s+(?:were\s+)?exchanged\b",
    r"<\|im_(?:start|end)\|>|\[\[?(?:system|assistant|user)\]\]?|</?(?:system|instructions?)>",
    r"игнорир\w*\s+(?:все\s+)?(?:предыдущ|прежн)\w*\s+(?:инструкц|указан)",
    r"ігнор\w*\s+(?:усі\s+|всі\s+)?(?:попередн)\w*\s+(?:інструкц|вказів)",
    r"ignorier\w*\s+(?:alle\s+)?(?:vorherigen|bisherigen)\s+anweisungen",
    r"ignore[sz]?\s+(?:toutes\s+)?les\s+instructions\s+(?:précédentes|antérieures)",
    r"ignora\w*\s+(?:todas\s+)?las\s+instrucciones\s+anteriores",
    r"ignora\w*\s+(?:tutte\s+)?le\s+istruzioni\s+precedenti",
    r"ignoruj\w*\s+(?:wszystkie\s+)?(?:poprzednie|wcześniejsze)\s+instrukcje",
    r"önceki\s+talimatları\s+(?:yok\s+say|görmezden\s+gel)",
    r"تجاهل\s+(?:جميع\s+)?التعليمات\s+السابقة",
)


def _stem_pattern(stems: Iterable[str]) -> re.Pattern[str]:
    """One regex matching any stem at the start of a word (or any phrase), case-insensitive.

    A stem ending in ``$`` matches a whole word only ("seit$" is not "Seiten").
    """
    parts = sorted(
        {
            re.escape(s.strip().rstrip("$")) + (r"(?!\w)" if s.endswith("$") else "")
            for s in stems
            if s.strip()
        },
        key=len,
        reverse=True,
    )
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + ")", re.IGNORECASE)


@cache
def pattern(name: str) -> re.Pattern[str]:
    """The compiled stem pattern of one word list of this module, by name."""
    lists: dict[str, Iterable[str]] = {
        "exchange": EXCHANGE,
        "relevant": (*EXCHANGE, *BODIES, *TALKS, *AGREEMENT, *MEDIATION),
        "bodies": BODIES,
        "talks": TALKS,
        "agreement": AGREEMENT,
        "running_total": RUNNING_TOTAL,
        "additionally": ADDITIONALLY,
        "previous": PREVIOUS,
        "mediation": MEDIATION,
        "completed": COMPLETED,
        "swapped": SWAPPED,
        "uncertain": UNCERTAIN,
        "intended": (*UNCERTAIN, *INTENDED),
        "each_side": EACH_SIDE_WORDS,
    }
    if name == "each_side_before":
        words = "|".join(sorted((re.escape(w) for w in EACH_SIDE_BEFORE), key=len, reverse=True))
        return re.compile(rf"(?:^|\W)(?:{words})\s*$", re.IGNORECASE)
    if name in lists:
        return _stem_pattern(lists[name])
    if name.startswith("category:"):
        return _stem_pattern(CATEGORY_WORDS[name.split(":", 1)[1]])
    if name.startswith("qualifier:"):
        return _stem_pattern(QUALIFIER_WORDS[name.split(":", 1)[1]])
    if name.startswith("nationality:"):
        return _stem_pattern(NATIONALITY[name.split(":", 1)[1]])
    raise KeyError(name)


@cache
def instruction_pattern() -> re.Pattern[str]:
    """Sentences that give a model or a reader instructions (any of the languages)."""
    return re.compile("|".join(INSTRUCTION_PATTERNS), re.IGNORECASE)


def mentions(name: str, text: str) -> bool:
    """Whether ``text`` contains a word of the list ``name``."""
    return pattern(name).search(text) is not None


@cache
def month_words() -> re.Pattern[str]:
    """The month names of the input languages, in any case (dateparser's lists)."""
    from dateparser.languages.loader import default_loader

    months: set[str] = set()
    for code in ("en", "ru", "uk", "de", "fr", "es", "pt", "it", "pl", "tr", "ar"):
        info = default_loader.get_locale(code).info
        for key in (
            "january", "february", "march", "april", "may", "june", "july", "august",
            "september", "october", "november", "december",
        ):  # fmt: skip
            months.update(w.lower().rstrip(".") for w in info.get(key, []) if len(w) >= 3)
    alternation = "|".join(sorted((re.escape(m) for m in months), key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternation})\.?(?!\w)", re.IGNORECASE)
