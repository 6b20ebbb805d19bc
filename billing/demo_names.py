"""Synthetic Brazilian identities for the demo portfolio: names, e-mails, CPFs and CNPJs, and
mobile numbers of a regional ISP's area, drawn from word lists written for Quita."""

import random
import unicodedata

from billing.documents import cnpj_check_digits, cpf_check_digits


def _words(text: str) -> tuple[str, ...]:
    # Comma-separated blocks keep hundreds of names readable; ruff would put one per line.
    return tuple(word.strip() for word in text.split(",") if word.strip())


FEMALE_GIVEN_NAMES = _words(
    """
    Maria, Ana, Francisca, Antônia, Adriana, Juliana, Márcia, Fernanda, Patrícia, Aline,
    Sandra, Camila, Amanda, Bruna, Jéssica, Letícia, Júlia, Luciana, Vanessa, Mariana,
    Gabriela, Vera, Vitória, Larissa, Cláudia, Beatriz, Luana, Rita, Sônia, Renata, Eliane,
    Josefa, Simone, Natália, Cristiane, Carla, Débora, Rosângela, Jaqueline, Rosa, Daniela,
    Aparecida, Marlene, Terezinha, Raimunda, Andreia, Fabiana, Lúcia, Raquel, Ângela, Rafaela,
    Joana, Luzia, Elaine, Daiane, Regina, Priscila, Tatiane, Isabela, Lívia, Helena, Alice,
    Laura, Valentina, Heloísa, Sophia, Manuela, Cecília, Lorena, Yasmin, Kátia, Michele,
    Silvana, Tânia, Edna, Roberta, Eduarda, Thaís, Bianca, Carolina, Kelly, Gislaine, Solange,
    Ivone, Neide, Denise, Sueli, Viviane, Elisângela, Marta, Mirela, Nathália, Poliana,
    Maria Eduarda, Ana Clara, Ana Paula, Maria José, Ana Luiza, Maria Clara, Maria Aparecida,
    Ana Beatriz, Maria Fernanda, Ana Carolina
    """
)

MALE_GIVEN_NAMES = _words(
    """
    José, João, Antônio, Francisco, Carlos, Paulo, Pedro, Lucas, Luiz, Marcos, Luís, Gabriel,
    Rafael, Daniel, Marcelo, Bruno, Eduardo, Felipe, Raimundo, Rodrigo, Manoel, Mateus,
    André, Fernando, Fábio, Leonardo, Gustavo, Guilherme, Leandro, Tiago, Anderson, Ricardo,
    Márcio, Jorge, Sebastião, Alexandre, Roberto, Edson, Diego, Vítor, Sérgio, Cláudio,
    Matheus, Thiago, Geraldo, Adriano, Luciano, Júlio, Renato, Alex, Vinícius, Rogério,
    Samuel, Ronaldo, Mário, Flávio, Douglas, Igor, Davi, Heitor, Arthur, Bernardo, Miguel,
    Enzo, Lorenzo, Caio, Otávio, Benedito, Wellington, Wesley, Everton, Reginaldo, Cícero,
    Valdir, Wagner, Gilberto, Murilo, Henrique, Nilton, Osvaldo, Silvio, Joaquim, Hélio,
    Emerson, Juliano, Fabrício, Cristiano, Danilo, Jefferson, Kleber, Ademir, Moisés,
    João Pedro, José Carlos, Luiz Fernando, João Vitor, Carlos Eduardo, Paulo Henrique,
    José Roberto, Luiz Carlos, Pedro Henrique, João Paulo, Antônio Carlos
    """
)

# Surnames with a particle ("da Silva") read as one unit and are drawn as one.
SURNAMES = _words(
    """
    Silva, Santos, Oliveira, Souza, Rodrigues, Ferreira, Alves, Pereira, Lima, Gomes, Costa,
    Ribeiro, Martins, Carvalho, Almeida, Lopes, Soares, Fernandes, Vieira, Barbosa, Rocha,
    Dias, Nascimento, Andrade, Moreira, Nunes, Marques, Machado, Mendes, Freitas, Cardoso,
    Ramos, Gonçalves, Santana, Teixeira, Araújo, Pinto, Correia, Moura, Cavalcanti, Campos,
    Reis, Batista, Castro, Monteiro, Rezende, Borges, Miranda, Faria, Tavares, Fonseca, Assis,
    Coelho, Pires, Guimarães, Figueiredo, Mesquita, Magalhães, Xavier, Morais, Siqueira,
    Brandão, Queiroz, Vasconcelos, Prado, Amaral, Peixoto, Resende, Bastos, Bueno, Meireles,
    Junqueira, Paiva, Leite, Duarte, Sales, Toledo, Cunha, Franco, Vilela, Lacerda, Lobato,
    Carneiro, Azevedo, Barros, Medeiros, Pacheco, Sampaio, Rangel, Lemos, Maciel, Aguiar,
    da Silva, dos Santos, de Oliveira, de Souza, da Costa, de Jesus, dos Reis, de Almeida,
    da Conceição, de Paula, do Nascimento, de Assis, da Cruz, de Lima, das Neves, do Carmo,
    da Rocha, de Freitas, de Andrade, do Prado, de Castro, da Luz, de Moraes, dos Anjos
    """
)

BUSINESS_KINDS = _words(
    """
    Mercadinho, Padaria, Farmácia, Auto Peças, Oficina Mecânica, Pet Shop, Salão de Beleza,
    Lanchonete, Papelaria, Açougue, Academia, Escritório Contábil, Materiais de Construção,
    Distribuidora, Sorveteria, Pizzaria, Restaurante, Ótica, Clínica Odontológica, Armazém,
    Borracharia, Laticínios, Pousada, Hortifruti, Barbearia, Marcenaria, Vidraçaria,
    Agropecuária, Drogaria, Supermercado
    """
)

BUSINESS_NAMES = _words(
    """
    Bom Preço, São José, Santa Luzia, Nova Esperança, Estrela, Central, do Bairro, Primavera,
    Boa Vista, Serra Verde, Dois Irmãos, Bela Vista, Sol Nascente, Progresso, Vitória,
    Santo Antônio, Aparecida, do Vale, Ipê Amarelo, Real, Mantiqueira, Alvorada, Cristal,
    Três Corações, Bom Jesus, Nossa Senhora, Pôr do Sol, Recanto, Serrana, Mineira,
    Sul de Minas, Da Praça, Família, União, Paraíso
    """
)

BUSINESS_SUFFIXES = ("Ltda", "Ltda", "Ltda", "ME", "Ltda ME", "EPP")

# ((state, DDD), weight): the ISP is based in southern Minas Gerais (DDD 35) and reaches into
# the rest of the state and the neighbouring states.
AREA_CODES: tuple[tuple[tuple[str, int], int], ...] = (
    (("MG", 35), 500),
    (("MG", 32), 130),
    (("MG", 37), 80),
    (("MG", 31), 60),
    (("MG", 34), 45),
    (("MG", 38), 35),
    (("SP", 12), 35),
    (("SP", 19), 30),
    (("SP", 16), 15),
    (("SP", 11), 10),
    (("RJ", 24), 25),
    (("RJ", 22), 5),
    (("RJ", 21), 5),
    (("ES", 27), 8),
    (("ES", 28), 4),
    (("GO", 64), 8),
    (("GO", 62), 5),
)

# The ninth digit of a CPF names the tax region where it was issued.
CPF_REGION_DIGIT = {"MG": "6", "SP": "8", "RJ": "7", "ES": "7", "GO": "1"}

EMAIL_DOMAINS: tuple[tuple[str, int], ...] = (
    ("gmail.com", 60),
    ("hotmail.com", 20),
    ("outlook.com", 11),
    ("yahoo.com.br", 9),
)

# Institution codes (ISPB) of banks and payment apps, the start of a Pix endToEndId.
PIX_ISPBS = _words("18236120, 00360305, 00000000, 60701190, 60746948, 90400888, 00416968, 02038232")

# Bank codes (COMPE) that collect boletos.
BOLETO_BANKS = _words("001, 104, 237, 341, 033, 756, 748")


def draw_area(rng: random.Random) -> tuple[str, int]:
    """A (state, DDD) pair, weighted toward the ISP's home area."""
    return rng.choices([area for area, _ in AREA_CODES], [w for _, w in AREA_CODES])[0]


def draw_person(rng: random.Random) -> tuple[str, str]:
    """A full name ("Ana Paula Ferreira da Silva") and an e-mail address made from it."""
    given = rng.choice(FEMALE_GIVEN_NAMES if rng.random() < 0.5 else MALE_GIVEN_NAMES)
    surnames = rng.sample(SURNAMES, k=2 if rng.random() < 0.6 else 1)
    # "Silva da Silva" would repeat one family name.
    if len({surname.split()[-1] for surname in surnames}) < len(surnames):
        surnames = surnames[1:]
    first, last = _ascii(given), _ascii(surnames[-1].split()[-1])
    number, year = rng.randint(1, 99), rng.randint(1965, 2005)
    local = rng.choice(
        (
            f"{first}.{last}",
            f"{first}{last}{number}",
            f"{first}.{last}{year}",
            f"{first[0]}{last}{number}",
            f"{first}_{last}",
        )
    )
    return " ".join([given, *surnames]), f"{local}@{_email_domain(rng)}"


def draw_business(rng: random.Random) -> tuple[str, str]:
    """A small-business name ("Mercadinho Bom Preço Ltda") and its e-mail address."""
    kind, brand = rng.choice(BUSINESS_KINDS), rng.choice(BUSINESS_NAMES)
    slug = _ascii(f"{kind}{brand}")
    email = rng.choice((f"contato@{slug}.com.br", f"{slug}@{_email_domain(rng)}"))
    return f"{kind} {brand} {rng.choice(BUSINESS_SUFFIXES)}", email


def draw_cpf(rng: random.Random, state: str) -> str:
    """Eleven digits with valid check digits, issued in `state`'s tax region."""
    base = f"{rng.randrange(10**8):08d}{CPF_REGION_DIGIT[state]}"
    # All-equal digits pass the checksum but are refused as placeholders.
    while len(set(base)) == 1:
        base = f"{rng.randrange(10**8):08d}{CPF_REGION_DIGIT[state]}"
    return base + cpf_check_digits(base)


def draw_cnpj(rng: random.Random) -> str:
    """Fourteen digits of a head office ("/0001") with valid check digits."""
    base = f"{rng.randrange(1, 10**8):08d}0001"
    return base + cnpj_check_digits(base)


def draw_mobile(rng: random.Random, ddd: int) -> str:
    """An E.164 mobile number in `ddd`; after the leading 9, digits 6-9 are mobile ranges."""
    return f"+55{ddd}9{rng.randint(6, 9)}{rng.randrange(10**7):07d}"


def _email_domain(rng: random.Random) -> str:
    return rng.choices([domain for domain, _ in EMAIL_DOMAINS], [w for _, w in EMAIL_DOMAINS])[0]


def _ascii(text: str) -> str:
    """Lower-case ASCII without spaces, as people write names in e-mail addresses."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(char for char in plain.lower() if char.isalnum())
